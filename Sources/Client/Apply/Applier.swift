import Foundation
import HostsCore

/// Merges the enabled segments into the managed block and writes the hosts file (backup, lock held by the
/// caller), then runs the resolver flush or the after-apply hook.
struct Applier {
    struct Report {
        var written: Bool
        var inPlace: Bool
        var backupID: String?
        /// nil when the fast path saw nothing changed and skipped the merge.
        var plan: ApplyPlan?
        var flush: ResolverFlush.Report?
        /// Segments left out, and why (also when the fast path skipped the merge).
        var problems: [String: String] = [:]
        /// Local segments merged from their last good version.
        var broken: [String: String] = [:]
        /// Set when nothing was written because `restore` paused automatic writes.
        var paused: PauseState?
        /// Names kept out of the block because lines outside it define them (also when the merge was skipped).
        var keptOut: KeptOutSummary?
    }

    var paths: StatePaths
    var store: StateStore
    var settings: Settings

    init(paths: StatePaths, settings: Settings) {
        self.paths = paths
        self.store = StateStore(paths: paths)
        self.settings = settings
    }

    var writer: HostsFileWriter { HostsFileWriter(path: paths.hostsFile, backups: backups) }

    /// Backups of this hosts file: each records that it came from it.
    var backups: BackupStore {
        BackupStore(directory: paths.backupDirectory, keep: settings.keepBackups, source: paths.hostsFile)
    }

    /// `hints`: bytes and validated lines of segments just fetched and cached, so they are not read or validated
    /// twice. Consumed: they and every segment's bytes are let go once the plan (the merged block) is built,
    /// before the new file is spliced and written.
    func apply(config: ClientConfig, hints: consuming ApplyHints = ApplyHints()) throws -> Report {
        var inputs = try MergeInputs(config: config, store: store, overrides: hints.fetched)
        var parsed = hints.parsed
        hints = ApplyHints()
        if let paused = try store.loadPause() {
            return Report(
                written: false, inPlace: false, problems: inputs.unreadable, broken: inputs.broken, paused: paused)
        }
        for item in inputs.items where inputs.newGood.contains(item.segment.name) {
            try store.saveCache(item.bytes, for: item.segment.name)
        }
        let digest = inputs.digest
        let applied = store.loadApplied()
        var plan: ApplyPlan?
        var result: [UInt8]?
        var current: [UInt8] = []
        let outcome = try writer.update(willReplace: store.markFlushPending) { bytes in
            current = bytes
            // Same inputs as last time and the file is exactly what we wrote: nothing to parse or merge.
            if let applied, applied.inputs == digest, applied.hostsSHA256 == SHA256Hex.of(bytes) { return nil }
            let document = try ApplyPlan.document(bytes, path: paths.hostsFile)
            let outside = document.outsideNames()
            // A retry (the file changed meanwhile) reuses the merge unless the owner's lines now define other
            // names; then the inputs, whose bytes were let go, are read again from the state directory (what was
            // just fetched is cached there by now).
            if let made = plan, made.outside != outside {
                inputs = try MergeInputs(config: config, store: store)
                plan = nil
            }
            if plan == nil {
                plan = ApplyPlan(inputs: inputs, parsed: parsed, outside: outside)
                parsed = [:]
                inputs.releaseBytes()
            }
            result = try plan!.render(over: document, path: paths.hostsFile)
            return result
        }
        let problems = plan?.problems ?? (applied?.problems ?? [:]).merging(inputs.unreadable) { first, _ in first }
        var report = Report(written: false, inPlace: false, plan: plan, problems: problems, broken: inputs.broken)
        let recorded = plan.map { $0.problems.isEmpty ? nil : $0.problems } ?? nil
        let keptOut = plan.map { KeptOutSummary($0.merge.keptOut) } ?? applied?.keptOut
        report.keptOut = keptOut
        switch outcome {
        case .unchanged:
            if plan != nil {
                try store.saveApplied(
                    AppliedState(
                        inputs: digest, hostsSHA256: SHA256Hex.of(current), flush: applied?.flush, problems: recorded,
                        keptOut: keptOut))
            }
        case .written(let backupID, let inPlace):
            report.written = true
            report.inPlace = inPlace
            report.backupID = backupID
            let flush = flush()
            report.flush = flush
            try store.saveApplied(
                AppliedState(
                    inputs: digest, hostsSHA256: SHA256Hex.of(result ?? []), flush: flush, problems: recorded,
                    keptOut: keptOut))
            try store.clearPendingFlush()
        }
        return report
    }

    /// What `apply` would write, without writing: (current bytes, new bytes, plan).
    func preview(config: ClientConfig, overrides: [String: [UInt8]] = [:]) throws -> (
        current: [UInt8], new: [UInt8], plan: ApplyPlan
    ) {
        let inputs = try MergeInputs(config: config, store: store, overrides: overrides)
        let current = try writer.readCurrent().bytes
        let document = try ApplyPlan.document(current, path: paths.hostsFile)
        let plan = ApplyPlan(inputs: inputs, outside: document.outsideNames())
        return (current, try plan.render(over: document, path: paths.hostsFile), plan)
    }

    /// Writes a backup's bytes back, after backing up what is there now.
    func restore(_ backup: BackupStore.Backup) throws -> Report {
        guard let bytes = try StateFiles.contentsIfPresent(of: backup.path) else {
            throw ClientError.unknownBackup(backup.id)
        }
        let outcome = try writer.update(willReplace: store.markFlushPending) { _ in bytes }
        var report = Report(written: false, inPlace: false)
        if case .written(let backupID, let inPlace) = outcome {
            report = Report(written: true, inPlace: inPlace, backupID: backupID, flush: flush())
            if var applied = store.loadApplied() {
                applied.flush = report.flush
                try store.saveApplied(applied)
            }
            try store.clearPendingFlush()
        }
        return report
    }

    /// The flush a killed client owed (``PendingFlush``), run now; nil when none was owed. Under the lock, before
    /// the command does anything else.
    func completePendingFlush() -> (PendingFlush, ResolverFlush.Report)? {
        guard let pending = store.loadPendingFlush() else { return nil }
        let report = flush(hostsFile: pending.hostsFile)
        if var applied = store.loadApplied() {
            applied.flush = report
            try? store.saveApplied(applied)
        }
        try? store.clearPendingFlush()
        return (pending, report)
    }

    private func flush(hostsFile: String? = nil) -> ResolverFlush.Report {
        let file = hostsFile ?? paths.hostsFile
        return ResolverFlush(
            afterApply: settings.afterApply, hostsFile: file, isSystemHostsFile: file == StatePaths.defaultHostsFile
        ).run()
    }
}
