import Testing

@testable import HostsCore

@Suite struct HostnameTests {
    @Test(arguments: [
        ("localhost", "localhost"), ("Web1", "web1"), ("DB.Example.COM", "db.example.com"),
        ("db.example.com.", "db.example.com"), ("a", "a"), ("1host", "1host"), ("x-1.y-2", "x-1.y-2"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"), ("3com.net", "3com.net"),
        (String(repeating: "a", count: 63), String(repeating: "a", count: 63)),
    ])
    func acceptsAndLowercases(text: String, value: String) throws {
        #expect(try Hostname(validating: text).value == value)
    }

    @Test(arguments: [
        ("", "empty"), (".", "empty"), ("-web", "start with '-'"), ("web-", "end with '-'"),
        ("a.-b", "start with '-'"), ("a-.b", "end with '-'"), ("a..b", "empty label"), ("a.b..", "empty label"),
        ("my_host", "'_'"), ("_sip._tcp", "'_'"), ("bücher", "non-ASCII"), ("a b", "' '"), ("a/b", "'/'"),
        ("10.0.0.1", "looks like an address"), ("123", "looks like an address"),
        (String(repeating: "a", count: 64), "longer than 63"),
        (Array(repeating: String(repeating: "a", count: 50), count: 6).joined(separator: "."), "longer than 253"),
    ])
    func rejects(text: String, reason: String) {
        #expect {
            try Hostname(validating: text)
        } throws: { error in
            (error as? HostnameError)?.reason.contains(reason) == true
        }
    }

    /// Strict is RFC 1123; permissive adds underscores and changes nothing else.
    @Test func permissiveRulesAddUnderscoresOnly() throws {
        for (text, value) in [
            ("DB_Primary", "db_primary"), ("_sip._tcp.corp", "_sip._tcp.corp"), ("a_", "a_"), ("1_2", "1_2"),
        ] {
            #expect(try Hostname(validating: text, rules: .permissive).value == value)
            #expect(throws: HostnameError.self) { try Hostname(validating: text, rules: .strict) }
            #expect(try Hostname(validating: text, rules: .permissive).conforms(to: .strict) == false)
        }
        for text in ["-_a", "_a-", "a.._b", "bü_cher", "a b_", "10.0.0.1", "_sip._tcp..corp"] {
            #expect(throws: HostnameError.self, "\(text)") { try Hostname(validating: text, rules: .permissive) }
        }
        #expect(try Hostname(validating: "web-1.corp", rules: .permissive).conforms(to: .strict))
        let error = #expect(throws: HostnameError.self) { try Hostname(validating: "db_primary") }
        #expect(error?.reason == "'_' is not allowed in host names (strict hostname rules)")
    }

    /// A machine whose hostname has an underscore keeps it reserved: a segment may hold such names now.
    @Test func reservedNamesIncludeAnUnderscoreHostname() throws {
        let reserved = SegmentPolicy.reservedNames(hostname: "build_01.corp")
        #expect(reserved.contains(try Hostname(validating: "build_01.corp", rules: .permissive)))
        #expect(reserved.contains(try Hostname(validating: "build_01", rules: .permissive)))
        let policy = SegmentPolicy(reserved: reserved)
        let entries = try StrictParser.parse(Array("10.0.0.9 build_01 other\n".utf8), source: "t")
        #expect(policy.apply(to: entries).kept.flatMap(\.hostnames).map(\.value) == ["other"])
        #expect(
            try NamePattern(parsing: "*.db_cluster.corp").matches(
                Hostname(validating: "a.db_cluster.corp", rules: .permissive)))
    }

    @Test func totalLengthLimitIsInclusive() throws {
        let label = String(repeating: "a", count: 63)
        let name = [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(name.count == 253)
        #expect(try Hostname(validating: name).value == name)
        #expect(try Hostname(validating: name + ".").value == name)
        #expect(throws: HostnameError.self) { try Hostname(validating: name + "b") }
    }

    @Test(
        arguments: [
            ("Web Server 1", "web-server-1"), ("DB_Primary", "db-primary"), ("  api  ", "api"), ("--x--", "x"),
            ("a..b", "a-b"), ("", nil), ("___", nil), ("MiXeD", "mixed"), ("node.1", "node-1"), ("・（）", nil),
            ("\u{AD}\u{200B}", nil),
        ] as [(String, String?)])
    func sanitizesTagValuesIntoLabels(text: String, label: String?) {
        #expect(Hostname.sanitizeLabel(text) == label)
        if let label { #expect(Hostname(label) != nil, "a sanitised label is a valid name") }
    }

    @Test func sanitizedLabelIsCutTo63WithoutTrailingHyphen() throws {
        let text = String(repeating: "a", count: 62) + " b" + String(repeating: "c", count: 10)
        let label = try #require(Hostname.sanitizeLabel(text))
        #expect(label.count <= 63)
        #expect(!label.hasSuffix("-"))
        #expect(Hostname(label) != nil)
    }
}
