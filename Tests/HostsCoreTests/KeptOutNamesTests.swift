import Testing

@testable import HostsCore

/// The names lines outside the block define (the owner's) are kept out of the block, whatever a segment says.
@Suite struct KeptOutNamesTests {
    func segment(_ name: String, _ text: String, origin: String = "local") throws -> Segment {
        Segment(name: name, origin: origin, entries: try StrictParser.parse(Array(text.utf8), source: name))
    }

    func document(_ text: String) throws -> HostsDocument { try HostsDocument(bytes: Array(text.utf8)) }

    /// Read as glibc reads them: the first field must be an address, `#` starts a comment, case does not count, and
    /// `db.corp.` is another name than `db.corp` (glibc's lookup of one does not match the other).
    @Test func outsideNamesAreTheNamesGlibcReads() throws {
        let text = """
            127.0.0.1\tlocalhost\r
            # 10.0.0.1 commented.corp\r
            10.0.0.2 Web.Corp  # inline.corp is a comment\r
            not-an-address ghost.corp\r
            10.0.0.3\r
            10.0.0.4 dotted.corp. under_score.corp b\u{FC}cher.corp\r
            \(HostsDocument.beginMarker)\r
            10.0.0.5 inside.corp\r
            \(HostsDocument.endMarker)\r
            fd00::9 web.corp v6.corp\r

            """
        let outside = try document(text).outsideNames()
        #expect(Set(outside.names.map(\.value)) == ["localhost", "web.corp", "under_score.corp", "v6.corp"])
        #expect(outside[Hostname("web.corp")!] == OutsideNames.Definition(line: 3, address: IPAddress("10.0.0.2")!))
        #expect(outside[Hostname("v6.corp")!] == OutsideNames.Definition(line: 10, address: IPAddress("fd00::9")!))
        #expect(try document("10.0.0.1 a\n").outsideNames().count == 1)
        #expect(try document("").outsideNames().isEmpty)
    }

    /// The owner's IPv4 line keeps the name out for both families: the segment's IPv6 line for it goes too. A line
    /// whose every name is kept out is dropped; a line with others keeps them. Local segments are no exception.
    @Test func theOwnersNamesAreKeptOutOfTheBlockForBothFamilies() throws {
        let hosts = try document(
            """
            127.0.0.1 localhost
            10.1.1.1 db.corp
            \(HostsDocument.beginMarker)
            \(HostsDocument.endMarker)
            10.1.1.2 LDAP.corp

            """)
        let office = try segment(
            "office", "127.0.0.5 db.corp\nfd00::5 DB.corp\n10.0.0.6 ldap.corp web.corp\nfd00::6 ldap.corp\n",
            origin: "remote http://h/office")
        let mine = try segment("mine", "10.0.0.9 db.corp mine.corp\n")
        let result = SegmentMerger.merge([office, mine], keepingOut: hosts.outsideNames())
        #expect(
            result.body == """
                # segment office — remote http://h/office
                10.0.0.6 web.corp
                # kept out: 2 names defined outside this block (db.corp, ldap.corp)
                # segment mine — local
                10.0.0.9 mine.corp
                # kept out: 1 name defined outside this block (db.corp)

                """)
        #expect(result.conflicts.isEmpty, "a kept-out name is no segment's to win")
        #expect(result.entryCount == 2)
        #expect(
            result.keptOut == [
                KeptOutName(
                    hostname: "db.corp", segment: "office", line: 1, address: "127.0.0.5", outsideLine: 2,
                    outsideAddress: "10.1.1.1"),
                KeptOutName(
                    hostname: "db.corp", segment: "office", line: 2, address: "fd00::5", outsideLine: 2,
                    outsideAddress: "10.1.1.1"),
                KeptOutName(
                    hostname: "ldap.corp", segment: "office", line: 3, address: "10.0.0.6", outsideLine: 5,
                    outsideAddress: "10.1.1.2"),
                KeptOutName(
                    hostname: "ldap.corp", segment: "office", line: 4, address: "fd00::6", outsideLine: 5,
                    outsideAddress: "10.1.1.2"),
                KeptOutName(
                    hostname: "db.corp", segment: "mine", line: 1, address: "10.0.0.9", outsideLine: 2,
                    outsideAddress: "10.1.1.1"),
            ])
        #expect(result.keptOut.distinctNames == ["db.corp", "ldap.corp"])

        // Spliced in, the lines outside are the same bytes, and no block line names an owner's name.
        let written = try hosts.replacingManagedBlock(with: result.body)
        #expect(written.outside.before == hosts.outside.before)
        #expect(written.outside.after == hosts.outside.after)
        #expect(Set(written.outsideNames().names) == Set(hosts.outsideNames().names))
        let block = try StrictParser.parse(Array(written.managedBlockBody!.utf8), source: "block")
        #expect(!block.contains { $0.hostnames.contains { hosts.outsideNames()[$0] != nil } })
    }

    /// No spelling takes a kept name back: another case, the trailing dot the parser drops, an earlier segment.
    @Test func noSegmentLineTakesAKeptNameBack() throws {
        let hosts = try document("10.1.1.1 db.corp\n")
        let first = try segment("first", "10.6.6.6 DB.CORP.\n10.6.6.7 Db.Corp keep.corp\n")
        let last = try segment("last", "10.6.6.8 db.corp\n")
        let result = SegmentMerger.merge([first, last], keepingOut: hosts.outsideNames())
        #expect(result.keptOut.map(\.segment) == ["first", "first", "last"])
        #expect(!result.body.contains("10.6.6.6") && !result.body.contains("10.6.6.8"))
        #expect(result.body.contains("10.6.6.7 keep.corp\n"))
    }

    /// A 300,000-name hand-written part and a 100,000-entry segment that maps a third of those names: one hash per
    /// name, so this ends in seconds; a comparison of every block name with every outside one (3 * 10^10) would
    /// not end within the limit.
    @Test(.timeLimit(.minutes(5))) func aHugeHandWrittenPartCostsLinearTime() throws {
        var outside = ""
        outside.reserveCapacity(9_000_000)
        for index in 0..<300_000 {
            outside += "10.\(index >> 16).\((index >> 8) & 255).\(index & 255) h\(index).owner\n"
        }
        let hosts = try HostsDocument(bytes: Array(outside.utf8))
        let names = hosts.outsideNames()
        #expect(names.count == 300_000)
        var text = ""
        for index in 0..<100_000 {
            text +=
                "fd00::\(String(index >> 16, radix: 16)):\(String(index & 0xFFFF, radix: 16)) h\(index * 3).owner mine\(index)\n"
        }
        let lines = try HostsLines(parsing: Array(text.utf8), source: "big")
        let result = SegmentMerger.merge([Segment(name: "big", origin: "local", table: lines)], keepingOut: names)
        #expect(result.keptOut.count == 100_000)
        #expect(result.entryCount == 100_000)
        let written = try StrictParser.parse(Array(result.body.utf8), source: "block")
        #expect(
            written.count == 100_000 && !written.contains { $0.hostnames.contains { $0.value.hasSuffix(".owner") } })
    }
}
