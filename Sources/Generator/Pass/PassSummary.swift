import HostsCore

/// The stdout summary of a pass: one line per profile, and in a dry run the unified diff of each profile that
/// would change.
struct PassSummary {
    var report: PassReport

    var text: String {
        var out = ""
        for action in report.plan.actions {
            let verb: String
            switch (report.dryRun, action.change) {
            case (true, .unchanged): verb = "unchanged, would not be rewritten"
            case (true, .changed): verb = action.refusal == nil ? "changed, would be written" : "changed"
            case (true, .new): verb = "new, would be written"
            case (false, .unchanged): verb = "unchanged"
            case (false, .changed): verb = action.refusal == nil ? "written" : "changed"
            case (false, .new): verb = "written (new)"
            }
            let previous = action.previousEntries.map { " (was \($0))" } ?? ""
            out += "\(action.profile): \(action.entries) entries\(previous), \(verb): \(action.path)"
            if let refusal = action.refusal { out += " — REFUSED: \(refusal)" }
            if report.publishError != nil { out += " — NOT WRITTEN (the write failed)" }
            out += "\n"
            if report.dryRun, action.change != .unchanged,
                let profile = report.profiles.first(where: { $0.name == action.profile })
            {
                out += UnifiedDiff.make(
                    old: action.old ?? [], new: Array(profile.content.utf8),
                    oldName: action.old == nil ? "/dev/null" : action.path, newName: action.path + " (new)")
            }
        }
        for failure in report.profileFailures {
            out += "\(failure.profile): NOT PUBLISHED (\(failure.reason)); the published version is kept\n"
        }
        return out
    }
}
