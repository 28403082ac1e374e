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
}
