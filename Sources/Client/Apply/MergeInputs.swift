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

    /// Collects the enabled segments' contents; `overrides` (fresh fetches in a dry run) win over what is stored.
    init(config: ClientConfig, store: StateStore, overrides: [String: [UInt8]] = [:]) throws {
        items = try config.segments.filter(\.enabled).compactMap { segment in
            let source = segment.kind == .remote ? segment.url ?? segment.name : store.paths.localFile(segment.name)
            if let bytes = overrides[segment.name] { return Item(segment: segment, bytes: bytes, source: source) }
            guard let bytes = try store.content(of: segment) else { return nil }
            return Item(segment: segment, bytes: bytes, source: source)
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
                let lines = try parsed[item.segment.name] ?? HostsLines(parsing: item.bytes, source: item.source)
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
