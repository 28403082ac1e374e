/// Entries read by position, for the renderer and the merger: a plain array, or ``HostsLines`` (a validated
/// text that builds each entry only when it is asked for, so a 100,000-entry segment never sits in memory as
/// 100,000 arrays of strings).
public protocol HostsEntryTable: Sendable {
    var entryCount: Int { get }
    /// Cheap: the renderer sorts by it.
    func address(at position: Int) -> IPAddress
    func entry(at position: Int) -> HostsEntry
    /// At least the bytes `HostsRenderer` writes for these entries' names and comments, so the output is
    /// allocated once instead of doubling.
    var renderedSizeBound: Int { get }
}

extension Array: HostsEntryTable where Element == HostsEntry {
    public var entryCount: Int { count }
    public func address(at position: Int) -> IPAddress { self[position].address }
    public func entry(at position: Int) -> HostsEntry { self[position] }

    public var renderedSizeBound: Int {
        var size = 0
        for entry in self {
            for name in entry.hostnames { size += name.value.utf8.count + 1 }
            if let comment = entry.comment { size += comment.utf8.count + 4 }
        }
        return size
    }
}

/// Some entries of a base table, in its order, a few of them with fewer names: what the merger keeps of a
/// segment that lost names to an earlier one, without copying the entries it keeps whole.
struct FilteredEntryTable<Base: HostsEntryTable>: HostsEntryTable {
    var base: Base
    /// Positions in `base`, in order.
    var kept: [Int32] = []
    /// Entries that keep only some of their names, by position in `base`.
    var narrowed: [Int32: HostsEntry] = [:]

    var entryCount: Int { kept.count }
    func address(at position: Int) -> IPAddress { base.address(at: Int(kept[position])) }
    func entry(at position: Int) -> HostsEntry {
        narrowed[kept[position]] ?? base.entry(at: Int(kept[position]))
    }
    var renderedSizeBound: Int { base.renderedSizeBound }
}
