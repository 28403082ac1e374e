import HostsCore

/// The enabled segments, in order, with the bytes each contributes right now.
///
/// A remote segment that was never fetched successfully has no bytes and adds nothing.
struct MergeInputs: Sendable {
    struct Item: Sendable {
        var segment: SegmentConfig
        var bytes: [UInt8]
        var source: String

        /// A remote segment's policy (with this machine's reserved names): the cache holds the bytes as signed,
        /// so the policy is applied at every merge. A local segment is the user's own: no policy.
        var policy: SegmentPolicy {
            get throws {
                segment.kind == .remote ? try (segment.trust ?? SegmentTrust()).policy() : SegmentPolicy()
            }
        }

        var lenient: Bool { segment.kind == .remote && segment.trust?.lenient == true }

        var policyText: String? {
            guard let trust = segment.trust, !trust.allowNames.isEmpty || !trust.allowAddresses.isEmpty else {
                return nil
            }
            return trust.allowNames.joined(separator: ",") + " " + trust.allowAddresses.joined(separator: ",")
        }
    }

    var items: [Item]
    /// Segments whose stored content could not be used (a refused or unreadable file, a local file that no longer
    /// parses and has no last good version): left out and reported, so one bad file never blocks the others.
    var unreadable: [String: String] = [:]
    /// Local segments whose file no longer parses (edited by hand): their last good version is merged instead.
    var broken: [String: String] = [:]
    /// Local segments whose file parsed and is newer than their last good copy, which `apply` then updates.
    var newGood: Set<String> = []
    private var parsedLocal: [String: HostsLines] = [:]

    /// Collects the enabled segments' contents; `overrides` (fresh fetches in a dry run) win over what is stored.
    init(config: ClientConfig, store: StateStore, overrides: [String: [UInt8]] = [:]) throws {
        items = []
        for segment in config.segments where segment.enabled {
            let source =
                segment.kind == .remote
                ? segment.url.map(Redaction.url) ?? segment.name : store.paths.localFile(segment.name)
            if let bytes = overrides[segment.name] {
                items.append(Item(segment: segment, bytes: bytes, source: source))
                continue
            }
            switch segment.kind {
            case .remote:
                do {
                    guard let bytes = try store.loadCache(segment.name) else { continue }
                    items.append(Item(segment: segment, bytes: bytes, source: source))
                } catch {
                    unreadable[segment.name] = "\(error)"
                }
            case .local:
                addLocal(segment, source: source, store: store)
            }
        }
    }

    /// A local segment contributes its file when that parses, else its last good version, else nothing.
    private mutating func addLocal(_ segment: SegmentConfig, source: String, store: StateStore) {
        let name = segment.name
        let lastGood = Result { try store.loadCache(name) }
        let reason: String
        do {
            let bytes = try store.loadLocal(name)
            // The last good copy is only ever saved after a parse: the same bytes need no parse here, which
            // keeps an unchanged apply at hashing only.
            if (try? lastGood.get()) != bytes {
                parsedLocal[name] = try HostsLines(parsing: bytes, source: source)
                newGood.insert(name)
            }
            items.append(Item(segment: segment, bytes: bytes, source: source))
            return
        } catch {
            reason = "\(error)"
        }
        if case .success(let good?) = lastGood {
            broken[name] = reason
            items.append(Item(segment: segment, bytes: good, source: source + " (last good version)"))
        } else {
            unreadable[name] = reason
        }
    }

    /// Changes whenever the order, the enabled set, an origin or any content changes.
    var digest: String {
        // The version changes whenever the same inputs would merge differently, so the first apply after an
        // upgrade merges again instead of keeping what the old version wrote (v2: names defined outside the block
        // are kept out of it; the outside lines themselves are in the hosts file's hash).
        var text = "pseudodns-merge-v2\n"
        for item in items {
            text += "\(item.segment.name)\t\(item.segment.origin)\t\(SHA256Hex.of(item.bytes))\n"
            if let policy = item.policyText { text += "\tpolicy \(policy)\n" }
        }
        return SHA256Hex.of(Array(text.utf8))
    }

    /// Lets go of the segments' bytes once the merge no longer needs them (after `digest` was taken): a large
    /// segment's copy is megabytes.
    mutating func releaseBytes() {
        for index in items.indices { items[index].bytes = [] }
    }

    /// Parses and merges. A segment whose stored content no longer parses (a local file edited by hand) is left
    /// out and reported, so one bad segment never blocks the others.
    /// `parsed` holds these same bytes already validated (a segment just fetched), so they are not validated again.
    /// What a merge produced, and what it left out on the way.
    struct Merged {
        var result: MergeResult
        /// Segments left out whole: their content does not parse (any more).
        var problems: [String: String]
        /// Lines (or names) each segment's policy kept out, reserved names included.
        var dropped: [String: [DroppedEntry]]
        /// Lines a lenient segment skipped.
        var skipped: [String: SkippedLines]
    }

    /// `outside`: names the lines outside the block define, kept out of it.
    func merge(parsed: [String: HostsLines] = [:], outside: OutsideNames) -> Merged {
        var segments: [Segment] = []
        var problems: [String: String] = [:]
        var dropped: [String: [DroppedEntry]] = [:]
        var skipped: [String: SkippedLines] = [:]
        for item in items {
            let name = item.segment.name
            do {
                let lines =
                    try parsed[name] ?? parsedLocal[name]
                    ?? HostsLines(parsing: item.bytes, source: item.source, lenient: item.lenient)
                let applied = try item.policy.apply(to: lines)
                segments.append(Segment(name: name, origin: item.segment.origin, table: applied.table))
                if !applied.dropped.isEmpty { dropped[name] = applied.dropped }
                if lines.skipped.count > 0 { skipped[name] = lines.skipped }
            } catch {
                problems[name] = "\(error)"
            }
        }
        return Merged(
            result: SegmentMerger.merge(segments, keepingOut: outside), problems: problems, dropped: dropped,
            skipped: skipped)
    }
}
