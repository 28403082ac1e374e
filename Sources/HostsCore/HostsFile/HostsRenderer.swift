/// Writes entries as hosts-file text, the same bytes for the same entries whatever their order.
public enum HostsRenderer {
    /// Windows reads at most 9 names from a line; other resolvers drop or truncate long lines (glibc's
    /// gethostbyname_ex fails for every name of a 1.67 MB line).
    public static let maxNamesPerLine = 9
    /// No line written is longer than this, its line end (CRLF in a CRLF file) included.
    public static let maxLineBytes = 1024
    /// Names are aligned in one column after the addresses, but never further out than this: the longest IPv6
    /// address without a zone (`ffff:…:ffff`, 39 bytes). A longer address is followed by one space.
    public static let maxAlignedAddressBytes = 39

    /// Lines sorted by address (IPv4 before IPv6, numeric order); names for the same address in first-seen
    /// order without repeats, at most ``maxNamesPerLine`` to a line and lines of at most ``maxLineBytes``
    /// (more names for one address continue on further lines with the same address); names aligned in one
    /// column. Distinct inline comments for an address are kept, joined by "; ", on its last line (cut to fit
    /// the line). `header` lines come first, each as a `# ` comment. LF line ends.
    ///
    /// With `entriesApart`, entries that share an address are not joined: each keeps its own line(s), in the
    /// order given (the generator's two instances on one address, which are two different hosts).
    public static func render(_ entries: [HostsEntry], header: [String] = [], entriesApart: Bool = false) -> String {
        renderCountingLines(entries, header: header, entriesApart: entriesApart).text
    }

    /// `render`'s text and the number of address lines in it: what a profile index calls the profile's entries
    /// and a reader of the file counts. Not the number of addresses: entries kept apart and names past the ninth
    /// take more lines than addresses.
    public static func renderCountingLines(_ entries: [HostsEntry], header: [String] = [], entriesApart: Bool = false)
        -> (text: String, addressLines: Int)
    {
        var out = ""
        for line in header { out += line.isEmpty ? "#\n" : "# \(VisibleText.escaped(line))\n" }
        let lines = appendLines(entries, to: &out, entriesApart: entriesApart)
        return (out, lines)
    }

    /// Appends `entries` as `render` writes them (without a header) and returns the number of address lines
    /// written.
    ///
    /// Built for 100,000-entry segments: lines are grouped by sorting entry positions (32-bit, stable by
    /// position) instead of per-address dictionaries, and text is appended in place rather than copied.
    @discardableResult
    static func appendLines(_ entries: some HostsEntryTable, to out: inout String, entriesApart: Bool = false) -> Int {
        let order = sortedPositions(entries)
        // Group boundaries as 32-bit positions in `order` (the last one is its end): a quarter of a Range array.
        var bounds: [Int32] = []
        bounds.reserveCapacity(entries.entryCount + 1)
        for index in order.indices {
            if index == 0 || entriesApart
                || entries.address(at: Int(order[index])) != entries.address(at: Int(order[index - 1]))
            {
                bounds.append(Int32(index))
            }
        }
        bounds.append(Int32(order.count))
        let groupCount = bounds.count - 1
        let addresses = (0..<groupCount).map { entries.address(at: Int(order[Int(bounds[$0])])).description }
        // The column is at most as wide as the longest IPv6 address without a zone: one long address (a zone id)
        // must not pad every other line of the segment (a 4 KB zone made a 1.3 MB segment a 204 MB hosts file).
        let width = min(addresses.reduce(0) { max($0, $1.utf8.count) }, maxAlignedAddressBytes)
        // An upper bound of the text's size, so the (multi-megabyte) string never grows by doubling: a line per
        // group, and at most one more (its address and spaces) per nine names of at least two bytes each.
        let bound = entries.renderedSizeBound
        let size = (groupCount + bound / (2 * maxNamesPerLine)) * (width + 2) + bound
        out.reserveCapacity(out.utf8.count + size)
        var lineCount = 0
        for (groupIndex, address) in addresses.enumerated() {
            let group = Int(bounds[groupIndex])..<Int(bounds[groupIndex + 1])
            let prefix = address + String(repeating: " ", count: max(width - address.utf8.count, 0) + 1)
            var written: [Hostname] = []
            // Groups are small (usually one entry), so a linear check beats hashing until a group gets long.
            var seen: Set<Hostname>?
            var comments: [String] = []
            // Comments past a line's length are cut anyway: not collected, so 100,000 entries on one address with
            // distinct comments cost neither a quadratic `contains` nor a joined string of megabytes.
            var commentBytes = 0
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
                    written.append(name)
                    if seen == nil, written.count > 16 { seen = Set(written) }
                }
                if let comment = entry.comment, commentBytes < maxLineBytes, !comments.contains(comment) {
                    comments.append(comment)
                    commentBytes += comment.utf8.count + 2
                }
            }
            lineCount += appendGroup(
                prefix: prefix, names: written, comment: comments.joined(separator: "; "), to: &out)
        }
        return lineCount
    }

    /// Writes one address's names as lines of at most ``maxNamesPerLine`` names and ``maxLineBytes`` bytes;
    /// returns the number of lines.
    private static func appendGroup(prefix: String, names: [Hostname], comment: String, to out: inout String) -> Int {
        // Room for a CRLF line end, so the limit holds in a CRLF file too.
        let limit = maxLineBytes - 2
        let prefixBytes = prefix.utf8.count
        var lines = 0
        var onLine = 0
        var lineBytes = 0
        for name in names {
            let size = name.value.utf8.count
            if onLine > 0, onLine == maxNamesPerLine || lineBytes + 1 + size > limit {
                out += "\n"
                onLine = 0
            }
            if onLine == 0 {
                out += prefix
                lineBytes = prefixBytes
                lines += 1
            } else {
                out += " "
                lineBytes += 1
            }
            out += name.value
            lineBytes += size
            onLine += 1
        }
        let room = limit - lineBytes - 4
        if !comment.isEmpty, room > 0 {
            let comment = VisibleText.escaped(comment)
            out += "  # "
            out += comment.utf8.count <= room ? comment : cut(comment, toBytes: room)
        }
        out += "\n"
        return lines
    }

    /// The longest prefix of `text` of at most `bytes` UTF-8 bytes that ends on a character boundary.
    static func cut(_ text: String, toBytes bytes: Int) -> String {
        let utf8 = Array(text.utf8)
        var end = min(bytes, utf8.count)
        while end > 0, end < utf8.count, utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: utf8[..<end], as: UTF8.self)
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
