/// Writes entries as hosts-file text, the same bytes for the same entries whatever their order.
public enum HostsRenderer {
    /// One line per address, sorted (IPv4 before IPv6, numeric order); names for the same address joined
    /// in first-seen order without repeats; names aligned in one column. Distinct inline comments for an
    /// address are kept, joined by "; ". `header` lines come first, each as a `# ` comment. LF line ends.
    public static func render(_ entries: [HostsEntry], header: [String] = []) -> String {
        var out: [UInt8] = []
        for line in header { out += Array((line.isEmpty ? "#\n" : "# \(line)\n").utf8) }
        let groups = grouped(entries)
        let width = groups.reduce(0) { max($0, $1.address.utf8.count) }
        out.reserveCapacity(out.count + entries.count * (width + 32))
        for group in groups {
            out += group.address.utf8
            out += repeatElement(UInt8(ascii: " "), count: width - group.address.utf8.count + 1)
            var names: [Hostname] = []
            var comments: [String] = []
            for index in group.members {
                let entry = entries[index]
                // Groups are small (usually one entry), so a linear check beats hashing here.
                for name in entry.hostnames where !names.contains(name) { names.append(name) }
                if let comment = entry.comment, !comments.contains(comment) { comments.append(comment) }
            }
            for (position, name) in names.enumerated() {
                if position > 0 { out.append(UInt8(ascii: " ")) }
                out += name.value.utf8
            }
            if !comments.isEmpty {
                out += "  # ".utf8
                out += comments.joined(separator: "; ").utf8
            }
            out.append(0x0A)
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct Group {
        var address: String
        var members: ArraySlice<Int>
    }

    /// Entry indices sorted by address (stable), cut into runs of one address each.
    static func grouped(_ entries: [HostsEntry]) -> [Group] {
        var order = Array(entries.indices)
        let sorted = zip(order, order.dropFirst()).allSatisfy { entries[$0].address <= entries[$1].address }
        if !sorted {
            order.sort { a, b in
                let (x, y) = (entries[a].address, entries[b].address)
                return x < y || (x == y && a < b)
            }
        }
        var groups: [Group] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            let address = entries[order[start]].address
            while end < order.count, entries[order[end]].address == address { end += 1 }
            groups.append(Group(address: address.description, members: order[start..<end]))
            start = end
        }
        return groups
    }
}
