import HostsCore

/// The hosts file the client would write, given what it read.
struct ApplyPlan: Sendable {
    var merge: MergeResult
    var problems: [String: String]
    /// Per segment: what its policy kept out, and (lenient segments) the lines it skipped.
    var dropped: [String: [DroppedEntry]]
    var skipped: [String: SkippedLines]
    var segmentCount: Int

    init(inputs: MergeInputs, parsed: [String: HostsLines] = [:]) {
        let merged = inputs.merge(parsed: parsed)
        (merge, problems, dropped, skipped) = (merged.result, merged.problems, merged.dropped, merged.skipped)
        segmentCount = inputs.items.count - problems.count
    }

    /// `current` with its managed block replaced (or removed when no segment contributes).
    func render(over current: [UInt8], path: String) throws(ClientError) -> [UInt8] {
        do {
            let document = try HostsDocument(bytes: current)
            if segmentCount == 0 {
                return document.hasManagedBlock ? document.removingManagedBlock().bytes : current
            }
            return try document.replacingManagedBlock(with: merge.body).bytes
        } catch {
            throw ClientError.unbalancedMarkers(path: path, reason: error.description)
        }
    }
}
