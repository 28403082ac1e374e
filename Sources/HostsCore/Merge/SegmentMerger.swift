/// Merges ordered segments into one block body. Order is precedence: the first segment to map a name
/// owns it; a later segment's mapping of the same name is left out and reported. A segment may map one
/// name to several addresses (IPv4 and IPv6, say); only another segment cannot add to it. Above every segment
/// stand the lines outside the block (the machine owner's): a name they define is kept out of the block whatever
/// a segment says, for both address families.
///
/// Built for 100,000-entry segments (a client syncing a large profile): one hash lookup per name, entries
/// built one at a time from the segment's table and never copied while nothing is dropped, and no owner
/// table for the last segment, since nothing after it can lose to its names.
public enum SegmentMerger {
    /// Who owns a name: the segment and the entry (within that segment) that claimed it first; segment -1 for a
    /// name the lines outside the block define.
    private struct Claim {
        var segment: Int32
        var entry: Int32

        static let outside = Claim(segment: -1, entry: -1)
        var isOutside: Bool { segment < 0 }
    }

    /// `outside`: the names the lines outside the block define (``HostsDocument/outsideNames()``), kept out.
    public static func merge(_ segments: [Segment], keepingOut outside: OutsideNames = OutsideNames()) -> MergeResult {
        var owner: [Hostname: Claim] = [:]
        // At least one name per entry; the table grows if entries carry more.
        owner.reserveCapacity(outside.count + segments.dropLast().reduce(0) { $0 + $1.table.entryCount })
        // The owner's names are claimed before any segment's, so the existing lookup keeps them out at no extra
        // hash per name, and no segment line can take one back.
        for name in outside.names { owner[name] = .outside }
        var body = ""
        var conflicts: [Conflict] = []
        var keptOut: [KeptOutName] = []
        var entryCount = 0
        for index in segments.indices {
            let (lost, out) = append(
                segments[index].table, of: index, in: segments, outside: outside, owner: &owner,
                entryCount: &entryCount, to: &body)
            for conflict in lost {
                body += "# conflict: \(conflict.address) \(conflict.hostname) (line \(conflict.line)) dropped: "
                body += "segment \(conflict.winnerSegment) maps it to \(conflict.winnerAddress)\n"
            }
            if !out.isEmpty { body += keptOutComment(out) }
            conflicts += lost
            keptOut += out
        }
        return MergeResult(body: body, conflicts: conflicts, keptOut: keptOut, entryCount: entryCount)
    }

    /// One comment line for a segment's kept-out names (how many, the first few): the reader of the hosts file
    /// sees why a name of the segment is missing, and a thousand such names cost one line.
    static func keptOutComment(_ out: [KeptOutName]) -> String {
        let names = out.distinctNames
        let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
        let text =
            "# kept out: \(names.count) name\(names.count == 1 ? "" : "s") defined outside this block (\(shown))"
        return HostsRenderer.cut(text, toBytes: HostsRenderer.maxLineBytes - 2) + "\n"
    }

    /// Claims (or checks) the names of segment `index`, appends what it keeps to `body` and returns what it lost.
    private static func append<Table: HostsEntryTable>(
        _ table: Table, of index: Int, in segments: [Segment], outside: OutsideNames, owner: inout [Hostname: Claim],
        entryCount: inout Int, to body: inout String
    ) -> (lost: [Conflict], keptOut: [KeptOutName]) {
        let segment = segments[index]
        let claims = index < segments.count - 1
        // Built only once an entry loses a name; until then the segment's own table is rendered as is.
        var kept: FilteredEntryTable<Table>?
        var lost: [Conflict] = []
        var keptOut: [KeptOutName] = []
        for position in 0..<table.entryCount {
            let entry = table.entry(at: position)
            var names: [Hostname]?  // nil while every name so far is kept: the entry is reused as is
            for (nameIndex, name) in entry.hostnames.enumerated() {
                var keep = true
                // One hash per name in the common case (a new name); a known name is put back as it was.
                let mine = Claim(segment: Int32(index), entry: Int32(position))
                let existing = claims ? owner.updateValue(mine, forKey: name) : owner[name]
                if let claim = existing, claim.isOutside {
                    if claims { owner[name] = claim }
                    if let definition = outside[name] {
                        keptOut.append(
                            KeptOutName(
                                hostname: name.value, segment: segment.name, line: entry.line,
                                address: entry.address.description, outsideLine: definition.line,
                                outsideAddress: definition.address.description))
                    }
                    keep = false
                } else if let claim = existing {
                    if claims { owner[name] = claim }
                    let winner = segments[Int(claim.segment)]
                    // Segments are told apart by name, so two parts of one segment never conflict.
                    if winner.name != segment.name {
                        let winnerAddress = winner.table.address(at: Int(claim.entry))
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
                    kept = FilteredEntryTable(base: table, kept: Array(0..<Int32(position)))
                    kept!.kept.reserveCapacity(table.entryCount)
                }
                if !names.isEmpty {
                    kept!.kept.append(Int32(position))
                    var narrowed = entry
                    narrowed.hostnames = names
                    kept!.narrowed[Int32(position)] = narrowed
                }
            } else if kept != nil {
                kept!.kept.append(Int32(position))
            }
        }
        // A long URL must not make the one line a resolver cannot read.
        body += HostsRenderer.cut(
            "# segment \(segment.name) — \(VisibleText.escaped(segment.origin))",
            toBytes: HostsRenderer.maxLineBytes - 2)
        body += "\n"
        if let kept {
            entryCount += HostsRenderer.appendLines(kept, to: &body)
        } else {
            entryCount += HostsRenderer.appendLines(table, to: &body)
        }
        return (lost, keptOut)
    }
}
