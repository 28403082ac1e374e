import HostsCore

/// Merges segments into the managed block's body: byte for byte what `HostsCore.SegmentMerger` produces (a test
/// checks this on random input), but built for 100,000-entry segments: one hash lookup per name, entries and
/// name arrays shared rather than copied, and lines grouped by sorting instead of per-address dictionaries and
/// sets. That takes a 100,000-entry merge from ~1 s and ~100 MB of small allocations to a fraction of both.
enum BlockMerger {
    struct Result: Sendable {
        var body: String
        var conflicts: [Conflict]
        var entryCount: Int
    }

    /// Who owns a name: the segment and the entry (within that segment) that claimed it first.
    private struct Claim {
        var segment: Int32
        var entry: Int32
    }

    static func merge(_ segments: [Segment]) -> Result {
        var owner: [Hostname: Claim] = [:]
        // The last segment's names are only looked up: nothing after it could lose to them. With one big segment
        // that keeps a 200,000-name table out of memory altogether.
        owner.reserveCapacity(
            segments.dropLast().reduce(0) { total, segment in
                segment.entries.reduce(total) { $0 + $1.hostnames.count }
            })
        var conflicts: [Conflict] = []
        var body = ""
        var entryCount = 0
        for (index, segment) in segments.enumerated() {
            let claims = index < segments.count - 1
            // Built only once an entry loses a name; until then the segment's own array is rendered as is.
            var kept: [HostsEntry]?
            var lost: [Conflict] = []
            for (position, entry) in segment.entries.enumerated() {
                var names: [Hostname]?  // nil while every name so far is kept: the entry is reused as is
                for (nameIndex, name) in entry.hostnames.enumerated() {
                    let mine = Claim(segment: Int32(index), entry: Int32(position))
                    var keep = true
                    // One hash per name in the common case (a new name); a known name is put back as it was.
                    let existing = claims ? owner.updateValue(mine, forKey: name) : owner[name]
                    if let claim = existing {
                        if claims { owner[name] = claim }
                        if Int(claim.segment) != index {
                            let winner = segments[Int(claim.segment)]
                            let winnerAddress = winner.entries[Int(claim.entry)].address
                            if winnerAddress != entry.address {
                                lost.append(
                                    Conflict(
                                        hostname: name.value, segment: segment.name, line: entry.line,
                                        address: entry.address.description, winnerSegment: winner.name,
                                        winnerAddress: winnerAddress.description))
                            }
                            keep = false
                        }
                    }
                    if !keep, names == nil { names = Array(entry.hostnames[..<nameIndex]) }
                    if keep, names != nil { names!.append(name) }
                }
                if let names {
                    if kept == nil {
                        kept = Array(segment.entries[..<position])
                        kept!.reserveCapacity(segment.entries.count)
                    }
                    if !names.isEmpty {
                        kept!.append(
                            HostsEntry(
                                address: entry.address, hostnames: names, comment: entry.comment, line: entry.line))
                    }
                } else if kept != nil {
                    kept!.append(entry)
                }
            }
            body += "# segment \(segment.name) — \(segment.origin)\n"
            entryCount += render(kept ?? segment.entries, into: &body)
            for conflict in lost {
                body += "# conflict: \(conflict.address) \(conflict.hostname) (line \(conflict.line)) dropped: "
                body += "segment \(conflict.winnerSegment) maps it to \(conflict.winnerAddress)\n"
            }
            conflicts += lost
        }
        return Result(body: body, conflicts: conflicts, entryCount: entryCount)
    }

    /// Lines as `HostsRenderer.render` writes them (one per address, sorted, names de-duplicated in first-seen
    /// order, comments joined, names in one column). Returns the number of lines.
    static func render(_ entries: [HostsEntry], into out: inout String) -> Int {
        // Sorting by (address, position) groups each address's entries in their original order.
        var order = Array(0..<Int32(entries.count))
        order.sort { left, right in
            let a = entries[Int(left)].address
            let b = entries[Int(right)].address
            return a == b ? left < right : a < b
        }
        var groups: [Range<Int>] = []
        var start = 0
        for index in order.indices.dropFirst()
        where entries[Int(order[index])].address != entries[Int(order[start])].address {
            groups.append(start..<index)
            start = index
        }
        if !order.isEmpty { groups.append(start..<order.count) }
        let addresses = groups.map { entries[Int(order[$0.lowerBound])].address.description }
        let width = addresses.reduce(0) { max($0, $1.utf8.count) }
        out.reserveCapacity(out.utf8.count + entries.count * (width + 32))
        for (group, address) in zip(groups, addresses) {
            out += address
            out += String(repeating: " ", count: width - address.utf8.count + 1)
            var written: [Hostname] = []
            var seen: Set<Hostname>?
            var comments: [String] = []
            for slot in order[group] {
                let entry = entries[Int(slot)]
                for name in entry.hostnames {
                    if var set = seen {
                        seen = nil
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
        return groups.count
    }
}
