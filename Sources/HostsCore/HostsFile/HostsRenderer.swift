/// Writes entries as hosts-file text, the same bytes for the same entries whatever their order.
public enum HostsRenderer {
    /// One line per address, sorted (IPv4 before IPv6, numeric order); names for the same address joined
    /// in first-seen order without repeats; names aligned in one column. Distinct inline comments for an
    /// address are kept, joined by "; ". `header` lines come first, each as a `# ` comment. LF line ends.
    public static func render(_ entries: [HostsEntry], header: [String] = []) -> String {
        var out = ""
        for line in header { out += line.isEmpty ? "#\n" : "# \(line)\n" }
        appendLines(entries, to: &out)
        return out
    }

    /// Appends `entries` as `render` writes them (without a header) and returns the number of lines written.
    ///
    /// Built for 100,000-entry segments: lines are grouped by sorting entry positions (32-bit, stable by
    /// position) instead of per-address dictionaries, and text is appended in place rather than copied.
    @discardableResult
    static func appendLines(_ entries: some HostsEntryTable, to out: inout String) -> Int {
        let order = sortedPositions(entries)
        // Group boundaries as 32-bit positions in `order` (the last one is its end): a quarter of a Range array.
        var bounds: [Int32] = []
        bounds.reserveCapacity(entries.entryCount + 1)
        for index in order.indices {
            if index == 0 || entries.address(at: Int(order[index])) != entries.address(at: Int(order[index - 1])) {
                bounds.append(Int32(index))
            }
        }
        bounds.append(Int32(order.count))
        let groupCount = bounds.count - 1
        let addresses = (0..<groupCount).map { entries.address(at: Int(order[Int(bounds[$0])])).description }
        let width = addresses.reduce(0) { max($0, $1.utf8.count) }
        // An upper bound of the text's size, so the (multi-megabyte) string never grows by doubling.
        let size = groupCount * (width + 2) + entries.renderedSizeBound
        out.reserveCapacity(out.utf8.count + size)
        for (groupIndex, address) in addresses.enumerated() {
            let group = Int(bounds[groupIndex])..<Int(bounds[groupIndex + 1])
            out += address
            out += String(repeating: " ", count: width - address.utf8.count + 1)
            var written: [Hostname] = []
            // Groups are small (usually one entry), so a linear check beats hashing until a group gets long.
            var seen: Set<Hostname>?
            var comments: [String] = []
            for slot in order[group] {
                let entry = entries.entry(at: Int(slot))
                for name in entry.hostnames {
                    if var set = seen {
                        seen = nil  // keeps the set uniquely referenced while it is mutated
                        let inserted = set.insert(name).inserted
                        seen = set
                        if !inserted { continue }
                    } else if written.contains(name) {
                        continue
                    }
                    if !written.isEmpty { out += " " }
                    out += name.value
                    written.append(name)
                    if seen == nil, written.count > 16 { seen = Set(written) }
                }
                if let comment = entry.comment, !comments.contains(comment) { comments.append(comment) }
            }
            if !comments.isEmpty {
                out += "  # "
                out += comments.joined(separator: "; ")
            }
            out += "\n"
        }
        return groupCount
    }

    /// Entry positions ordered by address, equal addresses in their original order.
    static func sortedPositions(_ entries: some HostsEntryTable) -> [Int32] {
        var order = Array(0..<Int32(entries.entryCount))
        let sorted = order.indices.dropFirst().allSatisfy { entries.address(at: $0 - 1) <= entries.address(at: $0) }
        if !sorted {
            order.sort { left, right in
                let a = entries.address(at: Int(left))
                let b = entries.address(at: Int(right))
                return a == b ? left < right : a < b
            }
        }
        return order
    }
}
