import Testing

@testable import HostsCore

/// Text from a segment that root writes into a hosts file comment displays as what it is (no Trojan source).
@Suite struct VisibleTextTests {
    /// Bidi overrides and isolates, C1 controls, what editors show as a line break, zero-width and tag characters.
    static let hidden: [(Unicode.Scalar, String)] = [
        ("\u{202A}", "<U+202A>"), ("\u{202E}", "<U+202E>"), ("\u{2066}", "<U+2066>"), ("\u{2069}", "<U+2069>"),
        ("\u{80}", "<U+0080>"), ("\u{85}", "<U+0085>"), ("\u{9B}", "<U+009B>"), ("\u{9F}", "<U+009F>"),
        ("\u{2028}", "<U+2028>"), ("\u{2029}", "<U+2029>"), ("\u{200B}", "<U+200B>"), ("\u{200F}", "<U+200F>"),
        ("\u{FEFF}", "<U+FEFF>"), ("\u{AD}", "<U+00AD>"), ("\u{E0041}", "<U+E0041>"), ("\u{7F}", "<U+007F>"),
    ]

    @Test func everyInvisibleOrReorderingCharacterIsWrittenAsItsCodePoint() {
        for (scalar, escaped) in Self.hidden {
            #expect(VisibleText.escaped("a\(scalar)b") == "a\(escaped)b", "U+\(String(scalar.value, radix: 16))")
        }
        // What displays as itself stays: letters of any script, emoji, the em dash, tabs.
        for kept in [
            "plain ASCII", "caf\u{E9} \u{65E5}\u{672C} \u{05E9}\u{05DC}\u{05D5}\u{05DD}", "\u{1F600} \u{2014}", "a\tb",
        ] {
            #expect(VisibleText.escaped(kept) == kept)
        }
    }

    /// An error quotes outside text escaped the same way, and at most `excerptLimit` characters of it: an escape is
    /// never cut in two, and a cut says so.
    @Test func anExcerptIsEscapedAndBounded() {
        #expect(VisibleText.excerpt("web\u{202E}moc.knab") == "web<U+202E>moc.knab")
        #expect(VisibleText.excerpt("\u{1B}[2J\u{9B}31m\n") == "<U+001B>[2J<U+009B>31m<U+000A>")
        let long = String(repeating: "x", count: 5000)
        #expect(VisibleText.excerpt(long) == String(repeating: "x", count: VisibleText.excerptLimit) + "…")
        // 78 characters, then an escape of 8 that would pass the limit: it is left out whole.
        let edge = String(repeating: "y", count: 78) + "\u{202E}" + "z"
        #expect(VisibleText.excerpt(edge) == String(repeating: "y", count: 78) + "…")
        let exact = String(repeating: "y", count: 72) + "\u{202E}"
        #expect(VisibleText.excerpt(exact) == String(repeating: "y", count: 72) + "<U+202E>")
    }

    /// The errors of HostsCore's parsers quote what they refused through the excerpt.
    @Test func parseErrorsQuoteAnExcerpt() throws {
        #expect(
            throws: HostsParseError(
                source: "s", line: 1,
                reason:
                    "invalid hostname 'a<U+202E>b': non-ASCII character (write internationalised names in their xn-- form)"
            )
        ) {
            try StrictParser.parse(Array("10.0.0.1 a\u{202E}b\n".utf8), source: "s")
        }
        #expect(
            throws: HostsParseError(
                source: "s", line: 1,
                reason: "invalid address '10.0.0.1<U+009B>': an IPv4 address has only digits and dots")
        ) {
            try StrictParser.parse(Array("10.0.0.1\u{9B} web\n".utf8), source: "s")
        }
        let error = try #require(throws: HostnameError.self) { try Hostname(validating: "a\u{1B}b") }
        #expect(error.description == "invalid hostname 'a<U+001B>b': character '<U+001B>' is not allowed in host names")
    }

    /// The Trojan-source comment of a served line reaches the rendered block escaped, and nothing outside ASCII
    /// that could reorder or hide text is left; the name itself was never in question (names are ASCII only).
    @Test func aSegmentCommentReachesTheBlockEscaped() throws {
        let line = "10.0.0.1 web.corp # ok \u{202E}kcab\u{202C} \u{2028}6.6.6.6 bank.example \u{9B}31m\n"
        let segment = Segment(
            name: "office", origin: "remote http://h/\u{202E}eciffo",
            entries: try StrictParser.parse(Array(line.utf8), source: "office"))
        let body = SegmentMerger.merge([segment]).body
        #expect(
            body == """
                # segment office — remote http://h/<U+202E>eciffo
                10.0.0.1 web.corp  # ok <U+202E>kcab<U+202C> <U+2028>6.6.6.6 bank.example <U+009B>31m

                """)
        #expect(body.unicodeScalars.allSatisfy { $0.isASCII || $0 == "\u{2014}" }, "only the em dash is not ASCII")
        #expect(throws: HostsParseError.self) {
            try StrictParser.parse(Array("10.0.0.1 web\u{202E}.corp\n".utf8), source: "office")
        }
        let header = HostsRenderer.render([], header: ["profile \u{2066}office\u{2069}"])
        #expect(header == "# profile <U+2066>office<U+2069>\n")
    }

    /// 100,000 entries on one address, each with its own comment: the line's comment holds what fits and the rest
    /// is not collected (before, a quadratic search among every distinct comment, then a megabyte string cut to
    /// one line).
    @Test(.timeLimit(.minutes(5))) func manyDistinctCommentsOnOneAddressCostOneLine() {
        let entries = (0..<100_000).map { index in
            HostsEntry(
                address: IPAddress("0.0.0.0")!, hostnames: [Hostname("ad\(index).example")!], comment: "c\(index)")
        }
        let text = HostsRenderer.render(entries)
        let lines = text.split(separator: "\n")
        #expect(lines.count == (100_000 + 8) / 9)
        #expect(lines.allSatisfy { $0.utf8.count <= HostsRenderer.maxLineBytes })
        #expect(lines.last?.contains("# c0; c1; c2") == true)
        #expect(lines.dropLast().allSatisfy { !$0.contains("#") })
    }
}
