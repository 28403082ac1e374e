import Foundation
import HostsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Real third-party lists with --lenient, and the names no remote segment may set.
@Suite struct LenientAndReservedTests {
    /// The head of StevenBlack's hosts list (its loopback block, a `0.0.0.0 0.0.0.0` line, a `fe80::1%lo0` line)
    /// and entries, one of them an `_underscore` name (an entry: hosts content is read with the permissive
    /// hostname rules, since such a name resolves from /etc/hosts).
    static let stevenBlack = """
        # Title: StevenBlack/hosts
        #
        # This hosts file is a merged collection of hosts from reputable sources,
        # ===============================================================

        127.0.0.1 localhost
        127.0.0.1 localhost.localdomain
        127.0.0.1 local
        255.255.255.255 broadcasthost
        ::1 localhost
        ::1 ip6-localhost
        ::1 ip6-loopback
        fe80::1%lo0 localhost
        ff00::0 ip6-localnet
        ff02::1 ip6-allnodes
        0.0.0.0 0.0.0.0

        # Custom host records are listed here.

        # End of custom host records.
        # Start StevenBlack

        0.0.0.0 ad.tracker.example
        0.0.0.0 _thums.ero-advertising.example
        0.0.0.0 pixel.tracker.example
        0.0.0.0 beacon.tracker.example

        """

    @Test func aStevenBlackShapedListIsRefusedStrictAndTakenWithLenient() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/hosts", Self.stevenBlack, etag: "\"sb1\"")

        let strict = try sandbox.run(["add", "ads", "--url", server.url("/hosts")])
        #expect(!strict.ok)
        #expect(
            strict.stderr.contains("/hosts:16: invalid hostname '0.0.0.0': looks like an address"), "\(strict.stderr)")

        let signed = try sandbox.run(
            ["add", "ads", "--url", server.url("/hosts"), "--lenient", "--public-key", SigningKey().publicKey.base64])
        #expect(!signed.ok)
        #expect(signed.stderr.contains("--lenient is for third-party lists"), "\(signed.stderr)")

        try sandbox.succeed(["add", "ads", "--url", server.url("/hosts"), "--lenient"])
        let block = sandbox.blockLines
        #expect(
            block.contains(
                "0.0.0.0   ad.tracker.example _thums.ero-advertising.example pixel.tracker.example "
                    + "beacon.tracker.example"), "\(block)")
        #expect(block.contains("127.0.0.1 local"), "\(block)")
        // A zone-scoped address is an address: its line only loses the reserved name.
        #expect(block.count == 5, "\(block)")
        for reserved in ["localhost", "broadcasthost", "ip6-localhost", "ip6-loopback", "localhost.localdomain"] {
            #expect(!block.contains { $0.split(separator: " ").contains(Substring(reserved)) }, "\(reserved): \(block)")
        }
        #expect(sandbox.outsideBlock == ClientSandbox.originalHosts)

        let status = try sandbox.succeed(["status"]).stdout
        #expect(status.contains("lenient: 1 invalid line skipped"), "\(status)")
        #expect(status.contains("line 16: invalid hostname '0.0.0.0': looks like an address"), "\(status)")
        #expect(!status.contains("line 24"), "\(status)")
        #expect(
            status.contains(
                "dropped line 6: 127.0.0.1 localhost (reserved name of this machine; only --allow-names listing it "
                    + "allows it)"), "\(status)")
        #expect(status.contains("dropped line 9: 255.255.255.255 broadcasthost (reserved name"), "\(status)")
        #expect(status.contains("dropped line 13: fe80::1%lo0 localhost (reserved name"), "\(status)")
        let json = try sandbox.succeed(["status", "--json"]).stdout
        #expect(json.contains("\"skipped\" : {"), "\(json)")
        #expect(json.contains("\"count\" : 1"), "\(json)")
    }

    /// A list a lenient segment would empty — an error page that is not HTML — is still refused.
    @Test func lenientStillRefusesWhatIsNotAHostsList() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/hosts", "Service temporarily unavailable\nplease retry later\n", etag: "\"e\"")
        let run = try sandbox.run(["add", "ads", "--url", server.url("/hosts"), "--lenient"])
        #expect(!run.ok)
        #expect(run.stderr.contains("not a hosts list, even for --lenient"), "\(run.stderr)")
    }

    @Test func trustLenientTakesAListThatStartedFailing() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/hosts", "0.0.0.0 ad.tracker.example\n", etag: "\"v1\"")
        try sandbox.succeed(["add", "ads", "--url", server.url("/hosts")])
        server.serveHosts("/hosts", Self.stevenBlack, etag: "\"v2\"")
        let sync = try sandbox.run(["sync", "--force"])
        #expect(!sync.ok, "strict: the new list is refused, the cached copy stays")
        #expect(sandbox.blockLines.contains("0.0.0.0 ad.tracker.example"))
        try sandbox.succeed(["trust", "ads", "--lenient"])
        #expect(
            sandbox.blockLines.contains(
                "0.0.0.0   ad.tracker.example _thums.ero-advertising.example pixel.tracker.example "
                    + "beacon.tracker.example"))
        #expect(
            try sandbox.succeed(["status"]).stdout.contains("trust: no pinned key; lenient (invalid lines skipped)"))
        try sandbox.succeed(["trust", "ads", "--no-lenient", "--no-apply"])
        #expect(try !sandbox.succeed(["status"]).stdout.contains("lenient"))
    }

    /// localhost and this machine's own hostname from a remote segment are dropped and shown, unless
    /// --allow-names lists them by name (a pattern that happens to match does not count).
    @Test func reservedNamesNeedAnExplicitAllowNames() throws {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        let hostname = String(cString: buffer).lowercased()
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        let content = "10.6.6.6 localhost \(hostname) web.corp.example\n10.6.6.7 ip6-loopback\n"
        server.serveHosts("/office", content, etag: "\"v1\"")
        try sandbox.succeed(["add", "office", "--url", server.url("/office"), "--allow-names", "*"])
        #expect(sandbox.blockLines.contains("10.6.6.6 web.corp.example"), "\(sandbox.blockLines)")
        #expect(!sandbox.blockLines.contains { $0.contains("localhost") || $0.contains("ip6-loopback") })
        let status = try sandbox.succeed(["status"]).stdout
        #expect(
            status.contains("dropped line 1: 10.6.6.6 localhost \(hostname) (reserved name of this machine;"),
            "\(status)")
        #expect(status.contains("dropped line 2: 10.6.6.7 ip6-loopback (reserved name"), "\(status)")

        try sandbox.succeed(["trust", "office", "--allow-names", "*,\(hostname)"])
        #expect(sandbox.blockLines.contains("10.6.6.6 \(hostname) web.corp.example"), "\(sandbox.blockLines)")
        #expect(!sandbox.blockLines.contains { $0.contains("localhost") })
    }
}
