/// Writes entries as hosts-file text, the same bytes for the same entries whatever their order.
public enum HostsRenderer {
    /// One line per address, sorted (IPv4 before IPv6, numeric order); names for the same address joined
    /// in first-seen order without repeats; names aligned in one column. Distinct inline comments for an
    /// address are kept, joined by "; ". `header` lines come first, each as a `# ` comment. LF line ends.
    public static func render(_ entries: [HostsEntry], header: [String] = []) -> String {
        var out = ""
        for line in header { out += line.isEmpty ? "#\n" : "# \(line)\n" }
        let lines = grouped(entries)
        let width = lines.reduce(0) { max($0, $1.address.utf8.count) }
        out.reserveCapacity(out.utf8.count + lines.count * (width + 24))
        for line in lines {
            out += line.address
            out += String(repeating: " ", count: width - line.address.utf8.count + 1)
            out += line.names
            if let comment = line.comment {
                out += "  # "
                out += comment
            }
            out += "\n"
        }
        return out
    }

    struct Line {
        var address: String
        var names: String
        var comment: String?
    }

    /// Groups entries by address, sorted.
    static func grouped(_ entries: [HostsEntry]) -> [Line] {
        var order: [IPAddress] = []
        var names: [IPAddress: [Hostname]] = [:]
        var seen: [IPAddress: Set<Hostname>] = [:]
        var comments: [IPAddress: [String]] = [:]
        for entry in entries {
            if names[entry.address] == nil {
                order.append(entry.address)
                names[entry.address] = []
                seen[entry.address] = []
            }
            for name in entry.hostnames where seen[entry.address]!.insert(name).inserted {
                names[entry.address]!.append(name)
            }
            if let comment = entry.comment, !(comments[entry.address]?.contains(comment) ?? false) {
                comments[entry.address, default: []].append(comment)
            }
        }
        order.sort()
        return order.map { address in
            Line(
                address: address.description,
                names: names[address]!.map(\.value).joined(separator: " "),
                comment: comments[address].map { $0.joined(separator: "; ") }
            )
        }
    }
}
