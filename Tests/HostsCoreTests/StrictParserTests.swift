import Testing

@testable import HostsCore

@Suite struct StrictParserTests {
    /// Parses with both readers, which must agree: the array parser and HostsLines (entries rebuilt per line).
    func parse(_ text: String) throws -> [HostsEntry] {
        let entries = try StrictParser.parse(Array(text.utf8), source: "test")
        let lines = try HostsLines(parsing: Array(text.utf8), source: "test")
        #expect(lines.entries == entries)
        #expect((0..<lines.count).map(lines.address(at:)) == entries.map(\.address))
        return entries
    }

    func failure(_ bytes: [UInt8]) -> HostsParseError? {
        let source = "http://example/profiles/office"
        var linesError: HostsParseError?
        do { _ = try HostsLines(parsing: bytes, source: source) } catch { linesError = error }
        do {
            _ = try StrictParser.parse(bytes, source: source)
            #expect(linesError == nil)
            return nil
        } catch {
            #expect(linesError == error, "HostsLines must refuse the same line for the same reason")
            return error
        }
    }

    @Test func parsesEntriesCommentsBlanksTabsAndSeveralNames() throws {
        let entries = try parse(
            """
            # a comment
              
            10.0.0.1\tweb1 Web1.corp  # the web box
            ::1 localhost ip6-localhost
            \t192.168.1.2\t\tdb   
            """)
        #expect(entries.count == 3)
        #expect(entries[0].address.description == "10.0.0.1")
        #expect(entries[0].hostnames.map(\.value) == ["web1", "web1.corp"])
        #expect(entries[0].comment == "the web box")
        #expect(entries[0].line == 3)
        #expect(entries[1].hostnames.map(\.value) == ["localhost", "ip6-localhost"])
        #expect(entries[2].line == 5)
        #expect(entries[2].comment == nil)
    }

    @Test func handlesCRLFAndBOMLikeLF() throws {
        let lf = "10.0.0.1 a\n# c\n10.0.0.2 b\n"
        let crlf = "\u{FEFF}" + lf.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try parse(crlf) == parse(lf))
        #expect(try parse("10.0.0.1 a").count == 1, "a last line without newline counts")
    }

    /// Names are read with the permissive rules, as resolvers read hosts files: underscores anywhere a letter may
    /// stand, by both readers (HostsLines rebuilds each entry from its line with the same rules).
    @Test func underscoreNamesAreHostsEntries() throws {
        let entries = try parse("10.0.0.1 db_primary DB_Replica.corp\n10.0.0.2 _sip._tcp.corp _\n")
        #expect(
            entries.map { $0.hostnames.map(\.value) } == [["db_primary", "db_replica.corp"], ["_sip._tcp.corp", "_"]])
        #expect(entries.allSatisfy { $0.hostnames.allSatisfy { $0.conforms(to: .permissive) } })
        #expect(entries[0].hostnames.map { $0.conforms(to: .strict) } == [false, false])
        let policy = try SegmentPolicy(allowNames: "*.corp", allowAddresses: nil)
        let applied = policy.apply(to: try HostsLines(parsing: Array("10.0.0.1 db_1.corp _x\n".utf8), source: "t"))
        let kept = (0..<applied.table.entryCount).map { applied.table.entry(at: $0).hostnames.map(\.value) }
        #expect(kept == [["db_1.corp"]])
    }

    @Test func errorsNameTheSourceAndLine() {
        let error = failure(Array("10.0.0.1 a\n# fine\n10.0.0.300 b\n".utf8))
        #expect(error?.line == 3)
        #expect(error?.reason.contains("over 255") == true)
        #expect(error?.description.hasPrefix("http://example/profiles/office:3: ") == true)
    }

    @Test(arguments: [
        ("10.0.0.1\n", 1, "no hostname"), ("web1 10.0.0.1\n", 1, "invalid address 'web1'"),
        ("10.0.0.1 my_-\n", 1, "end with '-'"), ("# ok\n10.0.0.1 a\n10.0.0.1 -bad\n", 3, "start with '-'"),
        ("010.0.0.1 a\n", 1, "leading zero"), ("10.0.0.1 a\u{0}\n", 1, "NUL byte"),
        ("10.0.0.1 a\u{7}\n", 1, "control character"), ("10.0.0.1 a\rb\n", 1, "stray carriage return"),
        ("10.0.0.1 a\n10.0.0.2\u{1B}[31m b\n", 2, "control character"),
    ])
    func rejectsBadLines(text: String, line: Int, reason: String) {
        let error = failure(Array(text.utf8))
        #expect(error?.line == line)
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func rejectsHTMLErrorPages() {
        let page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n</html>\n"
        let error = failure(Array(page.utf8))
        #expect(error?.line == 1)
        #expect(error?.reason.contains("HTML") == true)
        let indented = "\n   <html>\n<body>oops</body>\n"
        #expect(failure(Array(indented.utf8))?.line == 2)
        let late = "10.0.0.1 a\n</div>\n"
        #expect(failure(Array(late.utf8))?.reason.contains("HTML tag") == true)
    }

    @Test func rejectsBinaryAndInvalidUTF8() {
        #expect(
            failure([0x31, 0x30, 0x2E, 0x30, 0x2E, 0x30, 0x2E, 0x31, 0x20, 0x61, 0x0A, 0x1F, 0x8B, 0x08, 0x00])?.line
                == 2)
        let invalid = Array("10.0.0.1 a # caf".utf8) + [0xE9] + Array("\n".utf8)
        #expect(failure(invalid)?.reason == "not valid UTF-8")
        let validNonASCIIComment = Array("10.0.0.1 a # café\n".utf8)
        #expect(failure(validNonASCIIComment) == nil)
    }

    @Test func rejectsOverlongLines() {
        let long = "10.0.0.1 " + Array(repeating: "a", count: 5000).joined(separator: " ")
        #expect(failure(Array(long.utf8))?.reason.contains("over the limit") == true)
    }

    @Test func emptyInputIsAnEmptyFile() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("\n\n# only comments\n").isEmpty)
    }
}
