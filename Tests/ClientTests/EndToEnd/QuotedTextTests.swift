import Foundation
import HostsCore
import TestSupport
import Testing

/// What a server sends (a bad line, a signature document) or a file holds reaches root's terminal and journal only
/// as text that displays as what it is, and only an excerpt of it. Before, an error quoted the field as it came:
/// U+202E reordered the message, U+009B (CSI) and ESC `[2J` were commands to the terminal, and a 3,000-byte field
/// was quoted whole. A file's line (`add --local --from`) is quoted the same way.
@Suite struct QuotedTextTests {
    /// Characters a terminal or an editor shows as something else or as nothing, but the line break that ends each
    /// line of output.
    static func hidden(_ text: String) -> [String] {
        text.unicodeScalars.filter {
            [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
                && $0 != "\n"
        }.map { "U+" + String($0.value, radix: 16, uppercase: true) }
    }

    static func expectVisible(
        _ run: ClientSandbox.Run, showing escaped: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for stream in [run.stderr, run.stdout] {
            #expect(Self.hidden(stream).isEmpty, "\(Self.hidden(stream)) in: \(stream)", sourceLocation: sourceLocation)
        }
        for text in escaped {
            #expect(run.stderr.contains(text), "no \(text) in: \(run.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test func aServersBadLineIsQuotedEscapedAndBounded() async throws {
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/profiles/bidi", "10.0.0.1 alpha\n10.0.0.2 web\u{202E}moc.knab\n", etag: "\"b\"")
        server.serveHosts("/profiles/c1", "10.0.0.1\u{9B}2J\u{200B} alpha\n", etag: "\"c\"")
        server.serveHosts(
            "/profiles/long", "10.0.0.1 " + String(repeating: "x", count: 3000) + "\u{202E}\n", etag: "\"l\"")
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n10.0.0.2 beta\n", etag: "\"v1\"")
        let base = server.url("/profiles/")
        try await offThePool {
            let sandbox = try ClientSandbox()
            let bidi = try sandbox.run(["add", "bidi", "--url", base + "bidi"])
            #expect(bidi.status == 1, "\(bidi.stderr)")
            Self.expectVisible(bidi, showing: ["invalid hostname 'web<U+202E>moc.knab'"])

            let c1 = try sandbox.run(["add", "c1", "--url", base + "c1"])
            #expect(c1.status == 1, "\(c1.stderr)")
            Self.expectVisible(c1, showing: ["invalid address '10.0.0.1<U+009B>2J<U+200B>'"])

            let long = try sandbox.run(["add", "long", "--url", base + "long"])
            #expect(long.status == 1, "\(long.stderr)")
            Self.expectVisible(long, showing: ["invalid hostname '" + String(repeating: "x", count: 80) + "…'"])
            #expect(long.stderr.utf8.count < 600, "the 3,000-byte field was quoted whole: \(long.stderr.utf8.count)")

            // A segment that was good and turns bad: the sync's error and status's STALE line.
            try sandbox.succeed(["add", "office", "--url", base + "office"])
            server.serveHosts("/profiles/office", "10.0.0.1 alpha\n10.0.0.2 be\u{85}ta\u{2028}\n", etag: "\"v2\"")
            let sync = try sandbox.run(["sync", "--force"])
            #expect(sync.status == 1, "\(sync.stderr)")
            Self.expectVisible(sync, showing: ["invalid hostname 'be<U+0085>ta<U+2028>'"])
            let status = try sandbox.run(["status"])
            #expect(Self.hidden(status.stdout).isEmpty, "\(Self.hidden(status.stdout)) in: \(status.stdout)")
            #expect(status.stdout.contains("STALE: invalid content:"), "\(status.stdout)")
            #expect(status.stdout.contains("'be<U+0085>ta<U+2028>'"), "\(status.stdout)")
            #expect(sandbox.blockLines.contains("10.0.0.2 beta"), "the last good copy stays")

            // A line of a file given to `add --local --from` is quoted the same way.
            let file = sandbox.root + "/mine.hosts"
            try sandbox.write("10.0.0.1 ok\n10.0.0.2 caf\u{E9}\u{2066}x\u{2069}\n", to: file)
            let local = try sandbox.run(["add", "mine", "--local", "--from", file])
            #expect(local.status != 0, "\(local.stderr)")
            Self.expectVisible(local, showing: ["invalid hostname 'caf\u{E9}<U+2066>x<U+2069>'"])
        }
    }

    /// A signature document is the server's JSON: a profile name with ESC `[2J` (clear the screen) and a bidi
    /// override in it is named escaped when the check refuses it.
    @Test func aSignaturesProfileNameIsQuotedEscaped() async throws {
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        let feed = SignedFeed(server: server, name: "office")
        let key = SigningKey()
        try feed.publish("10.0.0.1 alpha\n", key: key, serial: 1, profile: "\u{1B}[2J\u{1B}]0;pwned\u{7}off\u{202E}ice")
        let url = feed.url
        try await offThePool {
            let sandbox = try ClientSandbox()
            let add = try sandbox.run(["add", "office", "--url", url, "--public-key", key.publicKey.base64])
            #expect(add.status == 1, "\(add.stderr)")
            Self.expectVisible(
                add, showing: ["signature is for profile '<U+001B>[2J<U+001B>]0;pwned<U+0007>off<U+202E>ice'"])
            #expect(!add.stderr.contains("\u{1B}"))
        }
    }

    /// A header the client keeps and shows (the ETag) is shown escaped by `status`, and `status --json` writes
    /// such characters as JSON escapes: the value a parser reads is the server's, the terminal sees none of them.
    @Test func aKeptHeaderIsShownEscapedInTextAndJSON() async throws {
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        let etag = "\"v\u{202E}1\u{9B}2J\""
        server.route("/profiles/office") { _ in .text("10.0.0.1 alpha\n", etag: etag) }
        let url = server.url("/profiles/office")
        try await offThePool {
            let sandbox = try ClientSandbox()
            try sandbox.succeed(["add", "office", "--url", url])
            let status = try sandbox.succeed(["status"])
            #expect(Self.hidden(status.stdout).isEmpty, "\(Self.hidden(status.stdout)) in: \(status.stdout)")
            #expect(status.stdout.contains("etag \"v<U+202E>1<U+009B>2J\""), "\(status.stdout)")
            let json = try sandbox.succeed(["status", "--json"])
            #expect(Self.hidden(json.stdout).isEmpty, "\(Self.hidden(json.stdout)) in: \(json.stdout)")
            #expect(json.stdout.contains("v\\u202E1\\u009B2J"), "\(json.stdout)")
            let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            let segments = report?["segments"] as? [[String: Any]]
            #expect(segments?.first?["etag"] as? String == etag, "the value is the server's, unchanged")
        }
    }
}
