/// Merges ordered segments into one block body. Order is precedence: the first segment to map a name
/// owns it; a later segment's mapping of the same name is left out and reported. A segment may map one
/// name to several addresses (IPv4 and IPv6, say); only another segment cannot add to it.
public enum SegmentMerger {
    public static func merge(_ segments: [Segment]) -> MergeResult {
        var owner: [Hostname: (segment: String, address: IPAddress)] = [:]
        var conflicts: [Conflict] = []
        var body = ""
        var entryCount = 0
        for segment in segments {
            var kept: [HostsEntry] = []
            kept.reserveCapacity(segment.entries.count)
            var lost: [Conflict] = []
            for entry in segment.entries {
                var names: [Hostname] = []
                for name in entry.hostnames {
                    if let claim = owner[name], claim.segment != segment.name {
                        if claim.address != entry.address {
                            lost.append(
                                Conflict(
                                    hostname: name.value, segment: segment.name, line: entry.line,
                                    address: entry.address.description, winnerSegment: claim.segment,
                                    winnerAddress: claim.address.description))
                        }
                        continue
                    }
                    if owner[name] == nil { owner[name] = (segment.name, entry.address) }
                    names.append(name)
                }
                if !names.isEmpty {
                    kept.append(
                        HostsEntry(address: entry.address, hostnames: names, comment: entry.comment, line: entry.line))
                }
            }
            body += "# segment \(segment.name) — \(segment.origin)\n"
            let rendered = HostsRenderer.render(kept)
            entryCount += rendered.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            body += rendered
            for conflict in lost {
                body += "# conflict: \(conflict.address) \(conflict.hostname) (line \(conflict.line)) dropped: "
                body += "segment \(conflict.winnerSegment) maps it to \(conflict.winnerAddress)\n"
            }
            conflicts += lost
        }
        return MergeResult(body: body, conflicts: conflicts, entryCount: entryCount)
    }
}
