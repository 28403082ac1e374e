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
