import HostsCore

/// Prints what an apply did and decides whether the command failed.
enum ApplyOutput {
    /// Prints the report; returns false when something needs the user's attention (exit non-zero).
    @discardableResult
    static func print(_ report: Applier.Report, hostsFile: String, quiet: Bool = false) -> Bool {
        var ok = true
        for (name, problem) in report.problems.sorted(by: { $0.key < $1.key }) {
            Console.err("segment \(name) left out: \(problem)")
            ok = false
        }
        for (name, reason) in report.broken.sorted(by: { $0.key < $1.key }) {
            Console.err(
                "segment \(name) is broken: \(reason) — its last good version stays in use "
                    + "(fix the file, or: hosts-client edit \(name))")
            ok = false
        }
        if let paused = report.paused {
            Console.out("\(hostsFile) not written: \(paused.text)")
        }
        if let plan = report.plan {
            if !quiet {
                for conflict in plan.merge.conflicts { Console.out(describe(conflict)) }
            }
        }
        // The owner's choice, not an error: said once, and the exit status stays 0.
        if let keptOut = report.keptOut, !quiet || report.written { Console.out(keptOut.text) }
        if report.written {
            var line = "wrote \(hostsFile)"
            if let plan = report.plan {
                line += ": \(plan.merge.entryCount) entries from \(plan.segmentCount) segment(s)"
                if !plan.merge.conflicts.isEmpty { line += ", \(plan.merge.conflicts.count) conflict(s)" }
            }
            if let backupID = report.backupID { line += " (backup \(backupID))" }
            if report.inPlace { line += " [rewritten in place: file cannot be replaced by rename]" }
            Console.out(line)
        } else if !quiet && report.paused == nil {
            Console.out("\(hostsFile) unchanged")
        }
        for failure in report.flush?.failures ?? [] {
            Console.err("warning: \(failure); the hosts file was written")
        }
        return ok
    }

    static func describe(_ conflict: Conflict) -> String {
        "conflict: \(conflict.hostname) → \(conflict.winnerAddress) from \(conflict.winnerSegment) wins over "
            + "\(conflict.address) from \(conflict.segment) (line \(conflict.line))"
    }
}
