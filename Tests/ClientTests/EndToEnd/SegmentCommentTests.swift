import Foundation
import TestSupport
import Testing

/// A served segment's comments reach /etc/hosts (written by root) only as text that displays as what it is.
@Suite struct SegmentCommentTests {
    /// Trojan source: a bidi override reorders what an admin reads, U+2028 shows as a line break (a fake entry in
    /// an editor), U+009B is CSI to some terminals. Each is written as its code point; the entries are unchanged.
    @Test func invisibleAndReorderingCharactersInCommentsAreWrittenAsCodePoints() async throws {
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts(
            "/profiles/office",
            "10.0.0.1 web.corp # \u{202E}kcab ot og\u{202C} \u{2066}x\u{2069}\n"
                + "10.0.0.2 db.corp # fine\u{2028}6.6.6.6 bank.example \u{9B}2J\u{200B}\u{FEFF} caf\u{E9}\n",
            etag: "\"v1\"")
        let url = server.url("/profiles/office")
        try await offThePool {
            let sandbox = try ClientSandbox()
            try sandbox.succeed(["add", "office", "--url", url])
            let block = sandbox.blockLines.filter { !$0.hasPrefix("# segment") }
            #expect(
                block == [
                    "10.0.0.1 web.corp  # <U+202E>kcab ot og<U+202C> <U+2066>x<U+2069>",
                    "10.0.0.2 db.corp  # fine<U+2028>6.6.6.6 bank.example <U+009B>2J<U+200B><U+FEFF> caf\u{E9}",
                ], "\(block)")
            let written = String(decoding: sandbox.hostsBytes, as: UTF8.self)
            let hidden = written.unicodeScalars.filter {
                [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory)
                    && $0 != "\n" && $0 != "\r" && $0 != "\t"
            }
            #expect(hidden.isEmpty, "\(hidden.map { String($0.value, radix: 16) })")
        }
    }
}
