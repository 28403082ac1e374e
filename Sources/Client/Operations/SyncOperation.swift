import ArgumentParser
import Foundation
import HostsCore

/// `sync`: fetch the due remote segments, then apply — or, in a dry run, print the diff and change nothing.
///
/// The network part runs without the state-dir lock; only recording the results and the apply hold it, so the
/// local commands (`disable`, `restore`, …) never wait behind a slow or hostile server.
struct SyncOperation {
    var context: ClientContext
    var force = false
    var dryRun = false
    var timeout: Interval?
    var quiet = false
    /// Fetch only these segments (nil: every enabled remote one).
    var only: Set<String>? = nil
    /// Segments whose shrink is accepted this once (`--accept-shrink`).
    var acceptShrink: Set<String> = []
    /// Fetched even when not due (no shrink accepted for them).
    var refetch: Set<String> = []
    /// The `--when` rules as already measured (`watch`); nil: measured here.
    var location: LocationCheck? = nil

    /// How it ended, as the exit status: 0; 1 when a segment failed (it is named on stderr; the rest was still
    /// applied); 78 (EX_CONFIG) when a segment's token or CA file was refused for safety.
    func run() async throws -> Int32 {
        let snapshot = try context.store.loadConfig()
        if !dryRun { try context.checkHostsWritable(snapshot) }
        for name in acceptShrink.sorted() where snapshot.segment(named: name)?.kind != .remote {
            throw ClientError.unknownSegment(name)
        }
        let limits = FetchLimits(timeout: timeout ?? snapshot.settings.timeout, maxBytes: snapshot.settings.maxBytes)
        var results = try await RemoteFetcher.with(maxBytes: limits.maxBytes) { fetcher in
            let sync = SegmentSync(
                store: context.store, fetcher: fetcher, limits: limits, acceptShrink: acceptShrink,
                acceptAllShrinks: force)
            return try await sync.fetch(snapshot, only: only, force: force, refetch: refetch)
        }

        var failures: [String: String] = [:]
        var refused = false
        for result in results {
            switch result.outcome {
            case .updated(let entries, _): report("\(result.name): updated, \(entries) entries")
            case .notModified: report("\(result.name): not modified")
            case .notDue: report("\(result.name): not due")
            case .failed(let reason, let unsafe):
                failures[result.name] = reason
                refused = refused || unsafe
                let cached = (try? context.store.loadCache(result.name)) ?? nil
                Console.err(
                    "segment \(result.name) failed: \(reason) — "
                        + (cached == nil ? "nothing cached, it adds no entries" : "keeping its last good copy"))
            }
        }

        // Measured outside the lock: a reachable= canary may take its full timeout.
        let measuredNow: LocationCheck
        if let location, location.covers(snapshot) {
            measuredNow = location
        } else {
            measuredNow = await LocationCheck.measure(snapshot)
        }

        if dryRun {
            var overrides: [String: [UInt8]] = [:]
            for result in results { if let bytes = result.bytes { overrides[result.name] = bytes } }
            let preview = try context.applier(snapshot).preview(
                config: measuredNow.effective(snapshot), overrides: overrides)
            let diff = UnifiedDiff.make(
                old: preview.current, new: preview.new, oldName: context.paths.hostsFile,
                newName: context.paths.hostsFile + " (after sync)")
            if diff.isEmpty {
                Console.out("\(context.paths.hostsFile) would not change")
            } else {
                Console.out(diff, terminator: "")
            }
            return status(ok: true, failures: failures, refused: refused)
        }

        let lock = try context.lock()
        defer { lock.release() }
        // The config as it is now: a segment removed or re-pointed during the fetch is not recorded.
        let config = try context.store.loadConfig()
        let stored = try SegmentSync.record(results, config: config, store: context.store)
        // The entries move into the hints (not copied), so the apply can let them go before it renders.
        var hints = ApplyHints()
        for index in results.indices {
            if stored.contains(results[index].name), let bytes = results[index].bytes,
                let entries = results[index].entries
            {
                hints.fetched[results[index].name] = bytes
                hints.parsed[results[index].name] = entries
            }
            results[index].entries = nil
            results[index].bytes = nil
            results[index].response = nil
        }
        let measured = measuredNow.covers(config) ? measuredNow : await LocationCheck.measure(config)
        let applied = try context.applier(config).apply(config: measured.effective(config), hints: consume hints)
        let ok = ApplyOutput.print(applied, hostsFile: context.paths.hostsFile, quiet: quiet)
        if !failures.isEmpty { Console.err(ClientError.staleSegments(failures).description) }
        return status(ok: ok, failures: failures, refused: refused)
    }

    private func status(ok: Bool, failures: [String: String], refused: Bool) -> Int32 {
        if refused { return 78 }
        return ok && failures.isEmpty ? 0 : 1
    }

    private func report(_ line: String) {
        if !quiet { Console.out(line) }
    }
}

extension SyncOperation {
    /// A command body's verdict for a sync's status: true for 0, false for 1 (already reported), and 78 thrown as
    /// the exit code itself.
    static func verdict(_ status: Int32) throws -> Bool {
        if status == 78 { throw ExitCode(78) }
        return status == 0
    }
}
