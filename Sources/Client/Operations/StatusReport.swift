import Foundation
import HostsCore

/// Everything `status` shows, as one Codable value (its JSON is the `--json` output).
struct StatusReport: Codable, Sendable {
    struct SegmentStatus: Codable, Sendable {
        var name: String
        var kind: SegmentConfig.Kind
        var enabled: Bool
        var source: String
        var every: Interval?
        var entries: Int?
        var etag: String?
        var lastResult: String?
        var error: String?
        var stale: Bool
        var fetchedAt: Date?
        var attemptedAt: Date?
        var ageSeconds: Int?
        /// Lines of this segment that lost to an earlier segment.
        var conflicts: [Conflict]
        /// What the segment demands (keys, policy, CA), as one line; nil for a local segment.
        var trust: String?
        /// The accepted copy's signature, for a segment with pinned keys.
        var serial: UInt64?
        var signedAt: Date?
        var keyID: String?
        /// Lines of the cached copy that the policy kept out of the hosts file (reserved names included): the first
        /// ``SegmentMeta/droppedKept``, and how many in all.
        var dropped: [DroppedEntry]
        var droppedCount = 0
        var warnings: [String]
        /// Lines a lenient segment skipped: how many, and the first few with their line numbers.
        var skipped: SkippedLines?
        /// Where the server last redirected this segment's fetch.
        var redirect: FetchRedirect? = nil
        /// In the merge now: enabled and every `--when` rule holds.
        var active = false
        /// Why it is on or off (`disabled`, `network=… holds (…)`, `interface=tun0 does not hold (…)`).
        var why = ""
        /// Each `--when` rule with its current value.
        var rules: [LocationCheck.Value] = []
        /// A local segment whose file no longer parses: `error` says where; its last good version is in use.
        var usingLastGood: Bool? = nil

        enum CodingKeys: String, CodingKey {
            case usingLastGood = "using_last_good"
            case name, kind, enabled, source, every, entries, etag
            case lastResult = "last_result"
            case error, stale
            case fetchedAt = "fetched_at"
            case attemptedAt = "attempted_at"
            case ageSeconds = "age_seconds"
            case conflicts, trust, serial, dropped, warnings, skipped, redirect, active, why, rules
            case droppedCount = "dropped_count"
            case signedAt = "signed_at"
            case keyID = "key_id"
        }
    }

    var hostsFile: String
    /// The hosts file holds exactly what `apply` would write.
    var inSync: Bool
    var hasManagedBlock: Bool
    var segments: [SegmentStatus]
    /// Segments whose stored content no longer parses (left out of the merge).
    var problems: [String: String]
    /// Segment names that lines outside the block define, kept out of the block (what apply writes): the owner's
    /// lines alone answer them.
    var keptOut: [KeptOutName]
    /// The resolver-cache flush (or after-apply hook) after the last write: which ran and whether it worked.
    var lastFlush: ResolverFlush.Report?
    /// Set when a client wrote the hosts file and stopped before its flush; the next one to take the lock runs it.
    var pendingFlush: PendingFlush?
    /// Set while `restore` has paused writes.
    var paused: PauseState?
    /// The command run as root after every write (nil: the built-in resolver flush).
    var afterApply: String?
    /// config.json could not be read: what is wrong and the way out (segments are then unknown).
    var configProblem: String?

    enum CodingKeys: String, CodingKey {
        case hostsFile = "hosts_file"
        case inSync = "in_sync"
        case hasManagedBlock = "has_managed_block"
        case segments, problems, paused
        case keptOut = "kept_out"
        case lastFlush = "last_flush"
        case pendingFlush = "pending_flush"
        case afterApply = "after_apply"
        case configProblem = "config_problem"
    }

    /// `location`: the `--when` rules as measured now (nil: measured as if no rule held, for callers without one).
    init(context: ClientContext, location: LocationCheck? = nil, now: Date = Date()) throws {
        hostsFile = context.paths.hostsFile
        paused = try context.store.loadPause()
        pendingFlush = context.store.loadPendingFlush()
        let config: ClientConfig
        do {
            config = try context.store.loadConfig()
        } catch let error as ClientError {
            // status still answers with a damaged config.json: the problem, the pause and the hosts file.
            guard case .invalidState = error else { throw error }
            configProblem = error.description
            inSync = false
            let current = (try? Applier(paths: context.paths, settings: Settings()).writer.readCurrent().bytes) ?? []
            hasManagedBlock = (try? HostsDocument(bytes: current))?.hasManagedBlock ?? false
            segments = []
            problems = [:]
            keptOut = []
            lastFlush = context.store.loadApplied()?.flush
            return
        }
        afterApply = config.settings.afterApply
        let location = location ?? LocationCheck(snapshot: NetworkSnapshot(interfaces: []), measured: [:])
        let preview = try context.applier(config).preview(config: location.effective(config))
        inSync = preview.current == preview.new
        hasManagedBlock = (try? HostsDocument(bytes: preview.current))?.hasManagedBlock ?? false
        problems = preview.plan.problems
        keptOut = preview.plan.merge.keptOut
        lastFlush = context.store.loadApplied()?.flush
        segments = try config.segments.map { segment in
            let losers = preview.plan.merge.conflicts.filter { $0.segment == segment.name }
            switch segment.kind {
            case .remote:
                let read = context.store.readMeta(segment.name)
                let meta = try? read.get()
                let metaProblem: String? = if case .failure(let error) = read { "\(error)" } else { nil }
                let dropped = preview.plan.dropped[segment.name] ?? meta?.dropped ?? []
                let droppedCount =
                    preview.plan.dropped[segment.name]?.count ?? meta?.droppedCount ?? meta?.dropped?.count ?? 0
                var status = SegmentStatus(
                    name: segment.name, kind: .remote, enabled: segment.enabled, source: segment.displayURL ?? "",
                    every: segment.every ?? Settings.defaultEvery, entries: meta?.entries, etag: meta?.etag,
                    lastResult: meta?.lastResult ?? "never fetched",
                    error: metaProblem ?? preview.plan.problems[segment.name] ?? meta?.error,
                    stale: meta?.isStale ?? true, fetchedAt: meta?.fetchedAt, attemptedAt: meta?.attemptedAt,
                    ageSeconds: meta?.fetchedAt.map { Int(now.timeIntervalSince($0)) }, conflicts: losers,
                    trust: TrustSummary(segment.trust).text, serial: meta?.serial, signedAt: meta?.signedAt,
                    keyID: meta?.keyID, dropped: Array(dropped.prefix(SegmentMeta.droppedKept)),
                    warnings: TrustSummary.warnings(for: segment),
                    skipped: preview.plan.skipped[segment.name], redirect: meta?.redirect)
                status.droppedCount = droppedCount
                return status
            case .local:
                let path = context.paths.localFile(segment.name)
                let current = Result { try StrictParser.parse(try context.store.loadLocal(segment.name), source: path) }
                var entries = try? current.get().count
                var error: String? = nil
                var usingLastGood: Bool? = nil
                if case .failure(let failure) = current {
                    error = "\(failure)"
                    if let good = try? context.store.loadCache(segment.name) {
                        entries = try? StrictParser.parse(good, source: path).count
                        usingLastGood = entries != nil
                    }
                }
                return SegmentStatus(
                    name: segment.name, kind: .local, enabled: segment.enabled, source: path, entries: entries,
                    error: error, stale: false, conflicts: losers, dropped: [],
                    warnings: TrustSummary.warnings(for: segment),
                    usingLastGood: usingLastGood)
            }
        }
        for index in segments.indices {
            guard let segment = config.segment(named: segments[index].name) else { continue }
            segments[index].active = location.isActive(segment)
            segments[index].why = location.reason(for: segment)
            segments[index].rules = location.values(for: segment)
        }
    }

    var text: String {
        var lines: [String] = []
        if let paused { lines.append("PAUSED: " + paused.text) }
        if let configProblem {
            lines.append("CONFIG: \(configProblem)")
        } else {
            lines.append(
                "\(hostsFile): "
                    + (inSync ? "up to date" : "differs from what hosts-client would write (run: hosts-client apply)"))
            lines.append("after-apply: \(afterApply ?? "(none: flush resolver caches)")")
        }
        if segments.isEmpty && configProblem == nil {
            lines.append("no segments (add one: hosts-client add NAME --url URL)")
        }
        for segment in segments {
            var line = "\(segment.active ? "on " : "off") \(segment.name)  \(segment.kind.rawValue) \(segment.source)"
            line += "  " + (segment.entries.map { "\($0) entries" } ?? "no content")
            lines.append(line)
            if segment.kind == .remote {
                var detail = "    last fetch: \(segment.lastResult ?? "-")"
                if let age = segment.ageSeconds {
                    // Dated in the future: the clock was ahead at that fetch, or is behind now.
                    detail +=
                        age < 0
                        ? ", good copy dated \(Self.describeAge(-age)) in the future (the clock changed)"
                        : ", good copy \(Self.describeAge(age)) old"
                }
                if let etag = segment.etag { detail += ", etag \(etag)" }
                if let every = segment.every { detail += ", every \(every)" }
                lines.append(detail)
                lines.append("    trust: \(segment.trust ?? "-")")
                if let redirect = segment.redirect {
                    lines.append(
                        "    redirected to \(redirect.location)"
                            + (redirect.permanent ? " (moved permanently: point the segment at the new URL)" : ""))
                }
                if let serial = segment.serial, let signedAt = segment.signedAt {
                    lines.append(
                        "    signed: serial \(serial), key \(segment.keyID ?? "?"), at \(signedAt.formatted(.iso8601))")
                }
            }
            if !segment.rules.isEmpty || (segment.enabled && !segment.active) {
                lines.append("    \(segment.active ? "on" : "off"): \(segment.why)")
            }
            for warning in segment.warnings { lines.append("    WARNING: \(warning)") }
            for dropped in segment.dropped {
                lines.append(
                    "    dropped line \(dropped.line): \(dropped.address) \(dropped.names.joined(separator: " "))"
                        + " (\(dropped.reason))")
            }
            if segment.droppedCount > segment.dropped.count {
                lines.append("    … and \(segment.droppedCount - segment.dropped.count) more dropped lines")
            }
            if let error = segment.error, segment.kind == .local {
                lines.append(
                    "    BROKEN: \(error)"
                        + (segment.usingLastGood == true ? " (its last good version is in use)" : " (left out)"))
            } else if let error = segment.error {
                lines.append("    STALE: \(error)" + (segment.entries == nil ? "" : " (using the cached copy)"))
            }
            if let skipped = segment.skipped, skipped.count > 0 {
                lines.append("    lenient: \(skipped.count) invalid line\(skipped.count == 1 ? "" : "s") skipped")
                for line in skipped.first { lines.append("      line \(line.line): \(line.reason)") }
                if skipped.count > skipped.first.count {
                    lines.append("      … and \(skipped.count - skipped.first.count) more")
                }
            }
            for conflict in segment.conflicts {
                lines.append(
                    "    " + ApplyOutput.describe(conflict) + " (the resolver answers \(conflict.winnerAddress))")
            }
        }
        lines += Self.describe(keptOut: keptOut)
        if let flush = lastFlush {
            lines.append("last flush (\(flush.at.formatted(.iso8601))): \(flush.summary)")
        }
        if let pending = pendingFlush {
            lines.append(
                "flush pending since \(pending.since.formatted(.iso8601)): \(pending.hostsFile) was written by a "
                    + "hosts-client that stopped before flushing; the next sync or apply flushes")
        }
        return lines.joined(separator: "\n")
    }

    /// Text lines shown per kept-out name before the rest is only counted (`--json` lists every one).
    static let keptOutShown = 20

    /// The summary line `apply` prints, then one line per name (the first ``keptOutShown``).
    static func describe(keptOut: [KeptOutName]) -> [String] {
        guard let summary = KeptOutSummary(keptOut) else { return [] }
        var lines = [summary.text]
        for name in keptOut.prefix(keptOutShown) {
            lines.append(
                "    \(name.hostname): line \(name.outsideLine) outside the block defines it (\(name.outsideAddress)); "
                    + "segment \(name.segment) line \(name.line) (\(name.address)) left out")
        }
        if keptOut.count > keptOutShown {
            lines.append("    … and \(keptOut.count - keptOutShown) more (status --json lists all)")
        }
        return lines
    }

    static func describeAge(_ seconds: Int) -> String {
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h" }
        return "\(seconds / 86_400)d"
    }
}
