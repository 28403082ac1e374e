import Foundation
import TestSupport
import Testing

@testable import HostsCore

/// Labels from tags in any language, checked against Python's `idna` package (``PythonIDNA``), computed when the
/// test runs.
@Suite struct HostnameLabelTests {
    /// Tag value → the same text with our separators (spaces, punctuation) written as the `-` they become: Python
    /// maps (case, width, NFKC) and encodes it; the separator policy is ours and documented.
    static let cases: [(tag: String, python: String)] = [
        ("検品サーバ01", "検品サーバ01"),
        ("検品サーバ-app", "検品サーバ-app"),
        ("出荷サーバ-APP", "出荷サーバ-APP"),
        ("Web サーバ 01", "Web-サーバ-01"),
        ("東京・大阪", "東京-大阪"),
        ("データベース（本番）", "データベース-本番"),
        ("ｹﾝﾋﾟﾝ", "ｹﾝﾋﾟﾝ"),
        ("ＡＢＣ０１", "ＡＢＣ０１"),
        ("Straße", "Straße"),
        ("GROẞ", "GROẞ"),
        ("ΣΊΣΥΦΟΣ", "ΣΊΣΥΦΟΣ"),
        ("σίσυφος", "σίσυφος"),
        ("İstanbul", "İstanbul"),
        ("Ünïcode Box", "Ünïcode-Box"),
        ("cafe\u{301} bar", "cafe\u{301}-bar"),
        ("so\u{AD}ft", "so\u{AD}ft"),
        ("Москва DB", "Москва-DB"),
        ("서버 ０２", "서버-０２"),
    ]

    @Test func tagsInAnyLanguageBecomeTheALabelsPythonIdnaGives() async throws {
        print("inputs:", Self.cases.map(\.tag))
        let expected = try await PythonIDNA.aLabels(Self.cases.map(\.python))
        for (index, item) in Self.cases.enumerated() {
            let label = Hostname.sanitizeLabel(item.tag)
            #expect(label != nil && label == expected[index], "\(item.tag) → \(label ?? "nil")")
            if let label { #expect(Hostname(label) != nil, "\(label) is a valid name") }
        }
    }

    /// Permissive keeps an ASCII tag's underscores where they are (the strict label turns them into hyphens); a
    /// non-ASCII tag's label is an IDNA A-label either way, where an underscore has no place (Python's idna
    /// refuses one), so it still becomes a hyphen.
    @Test func permissiveLabelsKeepUnderscores() async throws {
        for (tag, strict, permissive) in [
            ("DB_Primary", "db-primary", "db_primary"), ("_sip", "sip", "_sip"), ("a__b c", "a-b-c", "a__b-c"),
            ("___", nil, "___"), ("x_-_y", "x-y", "x_-_y"), ("-_edge_-", "edge", "_edge_"),
        ] as [(String, String?, String?)] {
            #expect(Hostname.sanitizeLabel(tag) == strict, "\(tag)")
            #expect(Hostname.sanitizeLabel(tag, rules: .strict) == strict, "\(tag)")
            #expect(Hostname.sanitizeLabel(tag, rules: .permissive) == permissive, "\(tag)")
            if let permissive { #expect(Hostname(permissive, rules: .permissive) != nil, "\(permissive)") }
        }
        let japanese = "検品_サーバ01"
        #expect(Hostname.sanitizeLabel(japanese, rules: .permissive) == Hostname.sanitizeLabel(japanese))
        let expected = try await PythonIDNA.aLabels(["検品-サーバ01", japanese])
        #expect(Hostname.sanitizeLabel(japanese, rules: .permissive) == expected[0])
        #expect(expected[1] == nil, "idna refuses an underscore")
    }

    @Test func wholeTagIsKeptNotAnASCIIFragment() {
        #expect(Hostname.sanitizeLabel("検品サーバ01") != "01")
        #expect(Hostname.sanitizeLabel("検品サーバ-app") != Hostname.sanitizeLabel("出荷サーバ-app"))
        #expect(Hostname.sanitizeLabel("検品サーバ01").map { Hostname($0) != nil } == true)
    }

    @Test func longNamesAreCutToWholeCharactersThatStillEncode() async throws {
        let tag = String(repeating: "検品サーバ", count: 12) + "-app"
        let label = try #require(Hostname.sanitizeLabel(tag))
        #expect(label.utf8.count <= 63)
        #expect(label.hasPrefix("xn--"))
        let text = try await PythonIDNA.decode(label)
        #expect(!text.isEmpty && tag.hasPrefix(text), "\(label) decodes to \(text)")
    }

    /// RFC 3492 §7.1's sample strings.
    @Test(arguments: [
        (
            "\u{644}\u{64A}\u{647}\u{645}\u{627}\u{628}\u{62A}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64A}\u{61F}",
            "egbpdaj6bu4bxfgehfvwxn"
        ),
        ("\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}", "ihqwcrb4cv8a8dqg056pqjye"),
        ("3\u{5E74}B\u{7D44}\u{91D1}\u{516B}\u{5148}\u{751F}", "3B-ww4c5e180e575a65lsy2b"),
        ("\u{30D1}\u{30D5}\u{30A3}\u{30FC}de\u{30EB}\u{30F3}\u{30D0}", "de-jg4avhby1noc0d"),
    ])
    func punycodeMatchesTheRFCSamples(text: String, encoded: String) {
        #expect(Punycode.encode(Array(text.unicodeScalars)) == encoded)
    }
}
