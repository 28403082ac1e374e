import Foundation
import TestSupport
import Testing

/// A server's segment must not grow the hosts file out of proportion to what it sent. One IPv6 address with a
/// 4,050-byte zone id used to pad every other line of its segment to 4 KB: a 52 KB body became an 8 MB hosts file
/// (and 1.3 MB became 204 MB), every lookup on the machine reading it all. Zones are now at most 15 bytes (an
/// interface name) and names align after 39 bytes at most.
@Suite struct AmplificationTests {
    static let entries = (0..<2_000).map { "10.9.\($0 / 256).\($0 % 256) h\($0)\n" }.joined()

    @Test func aLongZoneIsRefusedStrictAndSkippedLenientWithoutPaddingTheRest() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        let zoneLine = "fe80::1%" + String(repeating: "a", count: 4_050) + " pad\n"
        let body = Self.entries + zoneLine
        server.serveHosts("/hosts", body, etag: "\"z1\"")

        let strict = try sandbox.run(["add", "wide", "--url", server.url("/hosts")])
        #expect(!strict.ok)
        #expect(strict.stderr.contains("zone longer than 15 bytes"), "\(strict.stderr)")
        #expect(sandbox.outsideBlock == ClientSandbox.originalHosts && sandbox.blockLines.isEmpty)

        try sandbox.succeed(["add", "wide", "--url", server.url("/hosts"), "--lenient"])
        let hosts = sandbox.hosts.utf8.count
        #expect(hosts < body.utf8.count, "hosts file \(hosts) bytes from a \(body.utf8.count)-byte body")
        #expect(
            sandbox.blockLines.contains { $0.hasPrefix("10.9.0.1 ") && $0.hasSuffix(" h1") },
            "\(sandbox.blockLines.prefix(3))")
        #expect(sandbox.blockLines.filter { $0.hasPrefix("10.9.") }.count == 2_000)
    }

    /// The longest zone an interface can have is kept, and its line does not push the others out either.
    @Test func anInterfaceZoneIsKeptAndOnlyItsOwnLineIsLong() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        let zoned = "fe80:ffff:ffff:ffff:ffff:ffff:ffff:ffff%wlp0s20f3.4094"
        server.serveHosts("/hosts", Self.entries + "\(zoned) link-local\n", etag: "\"z2\"")
        try sandbox.succeed(["add", "wide", "--url", server.url("/hosts")])
        let block = sandbox.blockLines
        #expect(block.contains("\(zoned) link-local"), "\(block.suffix(2))")
        let widest = block.filter { $0.hasPrefix("10.9.") }.map(\.utf8.count).max() ?? 0
        #expect(widest <= 39 + 1 + "h1999".utf8.count, "an IPv4 line is \(widest) bytes")
    }
}
