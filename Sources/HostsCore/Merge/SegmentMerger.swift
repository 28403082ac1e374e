/// Merges ordered segments into one block body. Order is precedence: the first segment to map a name
/// owns it; a later segment's mapping of the same name is left out and reported. A segment may map one
/// name to several addresses (IPv4 and IPv6, say); only another segment cannot add to it.
///
/// Built for 100,000-entry segments (a client syncing a large profile): one hash lookup per name, the
/// segment's entries and name arrays shared rather than copied while nothing is dropped, and no owner table
/// for the last segment, since nothing after it can lose to its names.
public enum SegmentMerger {
    /// Who owns a name: the segment and the entry (within that segment) that claimed it first.
    private struct Claim {
        var segment: Int32
        var entry: Int32
    }

    public static func merge(_ segments: [Segment]) -> MergeResult {
        var owner: [Hostname: Claim] = [:]
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
                    var keep = true
                    // One hash per name in the common case (a new name); a known name is put back as it was.
                    let mine = Claim(segment: Int32(index), entry: Int32(position))
                    let existing = claims ? owner.updateValue(mine, forKey: name) : owner[name]
                    if let claim = existing {
                        if claims { owner[name] = claim }
                        let winner = segments[Int(claim.segment)]
                        // Segments are told apart by name, so two parts of one segment never conflict.
                        if winner.name != segment.name {
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
            entryCount += HostsRenderer.appendLines(kept ?? segment.entries, to: &body)
            for conflict in lost {
                body += "# conflict: \(conflict.address) \(conflict.hostname) (line \(conflict.line)) dropped: "
                body += "segment \(conflict.winnerSegment) maps it to \(conflict.winnerAddress)\n"
            }
            conflicts += lost
        }
        return MergeResult(body: body, conflicts: conflicts, entryCount: entryCount)
    }
}
