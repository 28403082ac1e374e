import HostsCore

/// The hosts file the client would write, given what it read.
struct ApplyPlan: Sendable {
    var merge: MergeResult
    /// Segments left out, and why.
    var problems: [String: String]
    /// Local segments merged from their last good version, and why their file was not used.
    var broken: [String: String]
    var segmentCount: Int

    init(inputs: MergeInputs, parsed: [String: HostsLines] = [:]) {
        let failed: [String: String]
        (merge, failed) = inputs.merge(parsed: parsed)
        segmentCount = inputs.items.count - failed.count
        problems = failed.merging(inputs.unreadable) { first, _ in first }
        broken = inputs.broken
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
