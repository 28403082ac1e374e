/// The stdout summary of a pass: one line per profile.
struct PassSummary {
    var report: PassReport

    var text: String {
        var out = ""
        for action in report.plan.actions {
            let verb: String
            switch (report.dryRun, action.change) {
            case (true, .unchanged): verb = "unchanged, would not be rewritten"
            case (true, .changed): verb = "changed, would be written"
            case (true, .new): verb = "new, would be written"
            case (false, .unchanged): verb = "unchanged"
            case (false, .changed): verb = "written"
            case (false, .new): verb = "written (new)"
            }
            let previous = action.previousEntries.map { " (was \($0))" } ?? ""
            out += "\(action.profile): \(action.entries) entries\(previous), \(verb): \(action.path)"
            if let refusal = action.refusal { out += " — REFUSED: \(refusal)" }
            out += "\n"
        }
        return out
    }
}
