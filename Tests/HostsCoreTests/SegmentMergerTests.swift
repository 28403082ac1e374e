import TestSupport
import Testing

@testable import HostsCore

@Suite struct SegmentMergerTests {
    func segment(_ name: String, _ text: String) throws -> Segment {
        Segment(name: name, origin: "local", entries: try StrictParser.parse(Array(text.utf8), source: name))
    }

    @Test func earlierSegmentWinsAndTheLoserIsReported() throws {
        let office = try segment("office", "10.0.0.1 web db\n10.0.0.2 mail\n")
        let mine = try segment("mine", "# mine\n127.0.0.1 web\n10.9.9.9 extra db\n10.0.0.2 mail\n")
        let result = SegmentMerger.merge([office, mine])
        #expect(
            result.conflicts == [
                Conflict(
                    hostname: "web", segment: "mine", line: 2, address: "127.0.0.1", winnerSegment: "office",
                    winnerAddress: "10.0.0.1"),
                Conflict(
                    hostname: "db", segment: "mine", line: 3, address: "10.9.9.9", winnerSegment: "office",
                    winnerAddress: "10.0.0.1"),
            ])
        #expect(
            result.body == """
                # segment office — local
                10.0.0.1 web db
                10.0.0.2 mail
                # segment mine — local
                10.9.9.9 extra
                # conflict: 127.0.0.1 web (line 2) dropped: segment office maps it to 10.0.0.1
                # conflict: 10.9.9.9 db (line 3) dropped: segment office maps it to 10.0.0.1

                """)
        #expect(result.entryCount == 3)
        let written = try StrictParser.parse(Array(result.body.utf8), source: "block")
        #expect(!written.contains { $0.address.description == "127.0.0.1" })
    }

    @Test func orderDecidesTheWinner() throws {
        let a = try segment("a", "10.0.0.1 web\n")
        let b = try segment("b", "10.0.0.2 web\n")
        #expect(SegmentMerger.merge([a, b]).conflicts.first?.winnerSegment == "a")
        #expect(SegmentMerger.merge([b, a]).conflicts.first?.winnerSegment == "b")
    }

    @Test func oneSegmentMayMapANameToSeveralAddresses() throws {
        let dual = try segment("dual", "10.0.0.1 web\n2001:db8::1 web\n")
        let result = SegmentMerger.merge([dual])
        #expect(result.conflicts.isEmpty)
        #expect(result.entryCount == 2)
    }

    @Test func sameMappingInALaterSegmentIsNotAConflict() throws {
        let a = try segment("a", "10.0.0.1 web\n")
        let b = try segment("b", "10.0.0.1 web\n")
        let result = SegmentMerger.merge([a, b])
        #expect(result.conflicts.isEmpty)
        #expect(result.entryCount == 1)
    }

    @Test func segmentsWithTheSameNameShareTheirNames() throws {
        let first = try segment("mine", "10.0.0.1 web\n")
        let second = try segment("mine", "10.0.0.2 web\n")
        let result = SegmentMerger.merge([first, second, try segment("other", "10.0.0.3 web\n")])
        #expect(result.conflicts.map(\.segment) == ["other"])
        #expect(result.entryCount == 2)
    }

    /// Property: for random segments (shared names, repeated names within an entry, several addresses per name)
    /// and random lines outside the block, each segment's section holds exactly its mappings of names neither the
    /// outside lines nor an earlier segment claimed, every dropped mapping to another address is reported once, in
    /// order, every kept-out one too, and `entryCount` counts the lines written.
    @Test(arguments: 0..<3)
    func keepsExactlyTheUnclaimedMappings(round: Int) throws {
        var random = SeededGenerator(seed: UInt64(round) * 104_729 + 3)
        let addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.10", "192.168.1.1", "::1", "fe80::1", "2001:db8::5"]
            .map { IPAddress($0)! }
        let names = (0..<12).map { Hostname("host-\($0).example")! }
        for iteration in 0..<100 {
            let tables = (0..<Int.random(in: 1...4, using: &random)).map { _ in
                (0..<Int.random(in: 0...25, using: &random)).map { line in
                    HostsEntry(
                        address: addresses.randomElement(using: &random)!,
                        hostnames: (0..<Int.random(in: 1...4, using: &random)).map { _ in
                            names.randomElement(using: &random)!
                        },
                        comment: [nil, nil, "db", "web"].randomElement(using: &random)!, line: line + 1)
                }
            }
            let segments = tables.enumerated().map { index, entries in
                Segment(name: "seg\(index)", origin: "remote http://h/\(index)", entries: entries)
            }
            let ownerNames = Array(names.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)))
            let hosts = try HostsDocument(
                bytes: Array(ownerNames.enumerated().map { "10.9.9.\($0) \($1.value.uppercased())\n" }.joined().utf8))
            let outside = hosts.outsideNames()
            let result = SegmentMerger.merge(segments, keepingOut: outside)
            let context = "round \(round), iteration \(iteration)"

            // The same segments as validated text (entries built only as the merge reads them) merge identically.
            let asLines = try tables.enumerated().map { index, entries in
                let text = entries.map { entry in
                    "\(entry.address)\t" + entry.hostnames.map(\.value).joined(separator: " ")
                        + (entry.comment.map { " # \($0)" } ?? "") + "\n"
                }.joined()
                let lines = try HostsLines(parsing: Array(text.utf8), source: "seg\(index)")
                #expect(lines.entries == entries, "\(context)")
                return Segment(name: "seg\(index)", origin: "remote http://h/\(index)", table: lines)
            }
            let fromLines = SegmentMerger.merge(asLines, keepingOut: outside)
            #expect(fromLines.body == result.body, "\(context)")
            #expect(fromLines.conflicts == result.conflicts, "\(context)")
            #expect(fromLines.entryCount == result.entryCount, "\(context)")
            #expect(fromLines.keptOut == result.keptOut, "\(context)")

            var owner: [Hostname: (segment: String, address: IPAddress)] = [:]
            var expectedConflicts: [Conflict] = []
            var expectedKeptOut: [KeptOutName] = []
            var expectedSections: [Set<String>] = []
            for (segment, entries) in zip(segments, tables) {
                var pairs: Set<String> = []
                for entry in entries {
                    for name in entry.hostnames {
                        if let owned = ownerNames.firstIndex(of: name) {
                            expectedKeptOut.append(
                                KeptOutName(
                                    hostname: name.value, segment: segment.name, line: entry.line,
                                    address: entry.address.description, outsideLine: owned + 1,
                                    outsideAddress: "10.9.9.\(owned)"))
                            continue
                        }
                        if let claim = owner[name], claim.segment != segment.name {
                            if claim.address != entry.address {
                                expectedConflicts.append(
                                    Conflict(
                                        hostname: name.value, segment: segment.name, line: entry.line,
                                        address: entry.address.description, winnerSegment: claim.segment,
                                        winnerAddress: claim.address.description))
                            }
                            continue
                        }
                        if owner[name] == nil { owner[name] = (segment.name, entry.address) }
                        pairs.insert("\(entry.address) \(name)")
                    }
                }
                expectedSections.append(pairs)
            }
            #expect(result.conflicts == expectedConflicts, "\(context)")
            #expect(result.keptOut == expectedKeptOut, "\(context)")

            let sections = result.body.components(separatedBy: "# segment ").dropFirst()
            #expect(sections.count == segments.count, "\(context)")
            var lines = 0
            for (section, (segment, expected)) in zip(sections, zip(segments, expectedSections)) {
                #expect(section.hasPrefix("\(segment.name) — \(segment.origin)\n"), "\(context)")
                let entries = try StrictParser.parse(Array(section.utf8.drop { $0 != 0x0A }), source: segment.name)
                lines += entries.count
                // One run of lines per address; a line continues on the next only once it holds nine names.
                let runs = zip(entries, entries.dropFirst())
                #expect(runs.allSatisfy { $0.address < $1.address || $0.hostnames.count == 9 }, "\(context)")
                #expect(entries.allSatisfy { $0.hostnames.count <= 9 }, "\(context)")
                let written = entries.flatMap { entry in entry.hostnames.map { "\(entry.address) \($0)" } }
                #expect(Set(written) == expected, "\(context): \(segment.name)")
                #expect(written.count == expected.count, "\(context): no name twice on a line")
            }
            #expect(result.entryCount == lines, "\(context)")
        }
    }
}
