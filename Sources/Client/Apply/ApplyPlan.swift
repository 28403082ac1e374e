import HostsCore

/// The hosts file the client would write, given what it read.
struct ApplyPlan: Sendable {
    var merge: MergeResult
    /// Segments left out, and why.
    var problems: [String: String]
    /// Local segments merged from their last good version, and why their file was not used.
    var broken: [String: String]
    /// Per segment: what its policy kept out, and (lenient segments) the lines it skipped.
    var dropped: [String: [DroppedEntry]]
    var skipped: [String: SkippedLines]
    var segmentCount: Int
    /// The names the lines outside the block defined when the plan was made: they are kept out of the block, so a
    /// plan is only good for a file whose outside defines the same ones.
    var outside: OutsideNames

    /// `outside`: the names the current file's lines outside the block define (``HostsDocument/outsideNames()``).
    init(inputs: MergeInputs, parsed: [String: HostsLines] = [:], outside: OutsideNames) {
        self.outside = outside
        let merged = inputs.merge(parsed: parsed, outside: outside)
        (merge, dropped, skipped) = (merged.result, merged.dropped, merged.skipped)
        segmentCount = inputs.items.count - merged.problems.count
        problems = merged.problems.merging(inputs.unreadable) { first, _ in first }
        broken = inputs.broken
    }

    /// The file read as a hosts document: its block, and the names its other lines define.
    static func document(_ current: [UInt8], path: String) throws(ClientError) -> HostsDocument {
        do {
            return try HostsDocument(bytes: current)
        } catch {
            throw ClientError.unbalancedMarkers(path: path, reason: error.description)
        }
    }

    /// `document` with its managed block replaced (or removed when no segment contributes). The plan must have been
    /// made for this document's outside names.
    func render(over document: HostsDocument, path: String) throws(ClientError) -> [UInt8] {
        if segmentCount == 0 {
            return document.hasManagedBlock ? document.removingManagedBlock().bytes : document.bytes
        }
        do {
            return try document.replacingManagedBlock(with: merge.body).bytes
        } catch {
            throw ClientError.unbalancedMarkers(path: path, reason: error.description)
        }
    }
}
