import Foundation
import HostsCore
import TestSupport
import Testing

/// `--allow-names` / `--allow-addresses`: lines outside the policy never reach the hosts file, and `status` says
/// what was dropped.
@Suite struct SegmentPolicyTests {
    static let feed = """
        10.1.0.1 db.corp.example
        10.1.0.2 www.bank.example mail.corp.example
        192.0.2.9 vpn.corp.example
        10.1.0.3 api.internal

        """

    /// A hostile answer of thousands of lines outside the policy: the segment's metadata keeps the first few and a
    /// count (it kept every one, three times the answer's size: 24.8 MB of meta.json for a 7.9 MB answer), and
    /// `status` lists the first few and says how many more.
    @Test func thousandsOfDroppedLinesAreCountedNotAllKept() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        let lines = (0..<5000).map { "10.2.\($0 / 250).\($0 % 250 + 1) host\($0).elsewhere.example\n" }
        server.serveHosts("/profiles/vendor", "10.1.0.1 db.corp.example\n" + lines.joined(), etag: "\"v1\"")
        try sandbox.succeed([
            "add", "vendor", "--url", server.url("/profiles/vendor"), "--allow-names", "*.corp.example",
        ])
        #expect(sandbox.blockLines.contains("10.1.0.1 db.corp.example"))

        let meta = try #require(
            try JSONSerialization.jsonObject(with: Data(sandbox.file("cache/vendor.meta.json") ?? [])) as? [String: Any]
        )
        #expect((meta["dropped"] as? [Any])?.count == 20)
        #expect(meta["dropped_count"] as? Int == 5000)
        #expect((sandbox.file("cache/vendor.meta.json") ?? []).count < 20_000)

        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("dropped line 2: 10.2.0.1 host0.elsewhere.example (name not in --allow-names)"))
        #expect(status.stdout.contains("… and 4980 more dropped lines"))
        #expect(!status.stdout.contains("host20.elsewhere.example"))
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(try sandbox.succeed(["status", "--json"]).stdout.utf8))
                as? [String: Any])
        let segment = try #require((json["segments"] as? [[String: Any]])?.first)
        #expect((segment["dropped"] as? [Any])?.count == 20)
        #expect(segment["dropped_count"] as? Int == 5000)
    }

    @Test func linesOutsideThePolicyAreDroppedAndReported() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/profiles/office", Self.feed, etag: "\"v1\"")
        try sandbox.succeed([
            "add", "office", "--url", server.url("/profiles/office"), "--allow-names", "*.corp.example,*.internal",
            "--allow-addresses", "10.0.0.0/8",
        ])
        let block = sandbox.blockLines.joined(separator: "\n")
        #expect(block.contains("db.corp.example"))
        #expect(block.contains("mail.corp.example"))
        #expect(block.contains("api.internal"))
        #expect(!block.contains("bank.example"), "name outside --allow-names")
        #expect(!block.contains("192.0.2.9"), "address outside --allow-addresses")
        #expect(!block.contains("vpn.corp.example"))

        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("dropped line 2: 10.1.0.2 www.bank.example (name not in --allow-names)"))
        #expect(status.stdout.contains("dropped line 3: 192.0.2.9 vpn.corp.example (address not in --allow-addresses)"))
        let json = try sandbox.succeed(["status", "--json"])
        #expect(json.stdout.contains("\"reason\" : \"name not in --allow-names\""))

        // `apply` from the cache keeps the policy too.
        try sandbox.succeed(["apply"])
        #expect(!sandbox.hosts.contains("bank.example"))
        #expect(try sandbox.succeed(["status"]).stdout.contains("up to date"))
    }

    @Test func invalidPolicyIsRejectedAtAdd() throws {
        let sandbox = try ClientSandbox()
        let add = try sandbox.run([
            "add", "office", "--url", "http://127.0.0.1:1/profiles/office", "--allow-addresses", "10.0.0.0/99",
        ])
        #expect(!add.ok)
        #expect(add.stderr.contains("invalid policy item '10.0.0.0/99'"))
    }
}
