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
    }

    var paths: StatePaths
    var store: StateStore
    var settings: Settings

    init(paths: StatePaths, settings: Settings) {
        self.paths = paths
        self.store = StateStore(paths: paths)
        self.settings = settings
    }

    var writer: HostsFileWriter {
        HostsFileWriter(
            path: paths.hostsFile, backups: BackupStore(directory: paths.backupDirectory, keep: settings.keepBackups))
    }

    /// `hints`: bytes and validated lines of segments just fetched and cached, so they are not read or validated
    /// twice. Consumed: they and every segment's bytes are let go once the plan (the merged block) is built,
    /// before the new file is spliced and written.
    func apply(config: ClientConfig, hints: consuming ApplyHints = ApplyHints()) throws -> Report {
        var inputs = try MergeInputs(config: config, store: store, overrides: hints.fetched)
        var parsed = hints.parsed
        hints = ApplyHints()
        let digest = inputs.digest
        let applied = store.loadApplied()
        var plan: ApplyPlan?
        var result: [UInt8]?
        var current: [UInt8] = []
        let outcome = try writer.update { bytes in
            current = bytes
            // Same inputs as last time and the file is exactly what we wrote: nothing to parse or merge.
            if let applied, applied.inputs == digest, applied.hostsSHA256 == SHA256Hex.of(bytes) { return nil }
            if plan == nil {
                plan = ApplyPlan(inputs: inputs, parsed: parsed)
                parsed = [:]
                inputs.releaseBytes()
            }
            result = try plan!.render(over: bytes, path: paths.hostsFile)
            return result
        }
        var report = Report(written: false, inPlace: false, plan: plan)
        switch outcome {
        case .unchanged:
            if plan != nil {
                try store.saveApplied(
                    AppliedState(inputs: digest, hostsSHA256: SHA256Hex.of(current), flush: applied?.flush))
            }
        case .written(let backupID, let inPlace):
            report.written = true
            report.inPlace = inPlace
            report.backupID = backupID
            let flush = flush()
            report.flush = flush
            try store.saveApplied(AppliedState(inputs: digest, hostsSHA256: SHA256Hex.of(result ?? []), flush: flush))
        }
        return report
    }

    /// What `apply` would write, without writing: (current bytes, new bytes, plan).
    func preview(config: ClientConfig, overrides: [String: [UInt8]] = [:]) throws -> (
        current: [UInt8], new: [UInt8], plan: ApplyPlan
    ) {
        let inputs = try MergeInputs(config: config, store: store, overrides: overrides)
        let plan = ApplyPlan(inputs: inputs)
        let current = try writer.readCurrent().bytes
        return (current, try plan.render(over: current, path: paths.hostsFile), plan)
    }

    /// Writes a backup's bytes back, after backing up what is there now.
    func restore(_ backup: BackupStore.Backup) throws -> Report {
        let bytes = try FileIO.contents(of: backup.path)
        let outcome = try writer.update { _ in bytes }
        var report = Report(written: false, inPlace: false)
        if case .written(let backupID, let inPlace) = outcome {
            report = Report(written: true, inPlace: inPlace, backupID: backupID, flush: flush())
            if var applied = store.loadApplied() {
                applied.flush = report.flush
                try store.saveApplied(applied)
            }
        }
        return report
    }

    private func flush() -> ResolverFlush.Report {
        ResolverFlush(
            afterApply: settings.afterApply, hostsFile: paths.hostsFile, isSystemHostsFile: paths.isSystemHostsFile
        ).run()
    }
}
