import HostsCore

/// The enabled segments, in order, with the bytes each contributes right now.
///
/// A remote segment that was never fetched successfully has no bytes and adds nothing.
struct MergeInputs: Sendable {
    struct Item: Sendable {
        var segment: SegmentConfig
        var bytes: [UInt8]
        var source: String

        /// A remote segment's policy: the cache holds the bytes as signed, so the policy is applied at every merge.
        var policy: SegmentPolicy {
            get throws { try segment.trust?.policy() ?? SegmentPolicy() }
        }

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
        var text = "pseudodns-merge-v1\n"
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
    func merge(parsed: [String: HostsLines] = [:]) -> (result: MergeResult, problems: [String: String]) {
        var segments: [Segment] = []
        var problems: [String: String] = [:]
        for item in items {
            do {
                let lines =
                    try parsed[item.segment.name] ?? parsedLocal[item.segment.name]
                    ?? HostsLines(parsing: item.bytes, source: item.source)
                let policy = try item.policy
                let segment =
                    policy.isUnrestricted
                    ? Segment(name: item.segment.name, origin: item.segment.origin, table: lines)
                    : Segment(
                        name: item.segment.name, origin: item.segment.origin,
                        entries: policy.apply(to: lines.entries).kept)
                segments.append(segment)
            } catch {
                problems[item.segment.name] = "\(error)"
            }
        }
        return (SegmentMerger.merge(segments), problems)
    }
}
