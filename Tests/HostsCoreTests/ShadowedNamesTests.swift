import Testing

@testable import HostsCore

@Suite struct ShadowedNamesTests {
    /// As glibc reads the file: the first line naming the host (per family) is what a lookup answers.
    @Test func linesOutsideTheBlockThatMapANameDifferentlyAreFoundWithTheWinner() throws {
        let text = """
            127.0.0.1 localhost
            10.9.9.1 Web.Corp.Example  # older hand-written line
            10.0.0.2 same.corp.example
            ::1 v4only.corp.example
            \(HostsDocument.beginMarker)
            # segment office — local
            10.0.0.1 web.corp.example db.corp.example
            10.0.0.2 same.corp.example
            10.0.0.3 v4only.corp.example
            \(HostsDocument.endMarker)
            10.9.9.4 db.corp.example

            """
        let shadowed = try HostsDocument(bytes: Array(text.utf8)).shadowedNames()
        #expect(
            shadowed == [
                ShadowedName(
                    hostname: "web.corp.example", segment: "office", blockAddress: "10.0.0.1", outsideLine: 2,
                    outsideAddress: "10.9.9.1", resolverAddress: "10.9.9.1"),
                ShadowedName(
                    hostname: "db.corp.example", segment: "office", blockAddress: "10.0.0.1", outsideLine: 11,
                    outsideAddress: "10.9.9.4", resolverAddress: "10.0.0.1"),
            ])
        #expect(shadowed.map(\.outsideWins) == [true, false])
    }

    @Test func nothingOutsideOrNoBlockMeansNothingShadowed() throws {
        #expect(try HostsDocument(bytes: Array("10.0.0.1 a\n".utf8)).shadowedNames().isEmpty)
        let onlyBlock = "\(HostsDocument.beginMarker)\n10.0.0.1 a\n\(HostsDocument.endMarker)\n"
        #expect(try HostsDocument(bytes: Array(onlyBlock.utf8)).shadowedNames().isEmpty)
    }
}
