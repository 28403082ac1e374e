import Foundation
import TestSupport
import Testing

/// The wall clock jumps (a hostile network's NTP, a VM restored from a snapshot, a bad RTC at boot) and comes
/// back: the fetches made meanwhile are dated in the future, and must not hold back the ones after. The client
/// runs with its clock really moved (``ShiftedClock``).
@Suite struct ClockJumpTests {
    static let thousandDays = 1000 * 86_400

    @Test(arguments: [thousandDays, 3600])
    func fetchesAfterTheClockCameBackAreRecordedAndApplied(_ ahead: Int) throws {
        let (sandbox, server) = try TwoRemotes.prepared()
        defer { server.stop() }
        let shifted = try ShiftedClock.environment(shiftedBy: ahead, in: sandbox.root)
        let jumped = try sandbox.run(["sync", "--force"], environment: shifted)
        #expect(jumped.status == 0, "\(jumped.stderr)")
        // The jumped run really dated its fetch ahead (else this test would test nothing).
        #expect(try Self.attemptedAt(sandbox) > Date().addingTimeInterval(Double(ahead) / 2))

        // Back at the right time: the next sync is due (the last fetch is dated in the future), and its result
        // is kept although a fetch "later" than it is on record.
        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("in the future (the clock changed)"), "\(status.stdout)")
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n10.0.0.7 delta\n", etag: "\"v2\"")
        let sync = try sandbox.succeed(["sync"])
        #expect(sync.stdout.contains("office: updated, 2 entries"), "\(sync.stdout)")
        #expect(!sync.stderr.contains("not kept"), "\(sync.stderr)")
        #expect(sandbox.blockLines.contains("10.0.0.7 delta"))

        // And a forced one again, with new content: recorded and applied, not reported and dropped.
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n10.0.0.8 echo\n", etag: "\"v3\"")
        let forced = try sandbox.succeed(["sync", "--force"])
        #expect(forced.stdout.contains("office: updated, 2 entries"))
        #expect(sandbox.blockLines.contains("10.0.0.8 echo"))
        #expect(!sandbox.blockLines.contains("10.0.0.7 delta"))
    }

    static func attemptedAt(_ sandbox: ClientSandbox) throws -> Date {
        let meta = try JSONSerialization.jsonObject(with: Data(sandbox.file("cache/office.meta.json") ?? []))
        let text = try #require((meta as? [String: Any])?["attempted_at"] as? String)
        return try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    /// Two syncs at once still order by when they started: the one that started first and finishes last (its
    /// answer held back until the other was recorded) is not kept, and says so (the clock did not jump).
    @Test func anOlderResultThanTheRecordedOneIsNotKeptAndSaysSo() throws {
        let (sandbox, server) = try TwoRemotes.prepared()
        defer { server.stop() }
        try sandbox.succeed(["config", "timeout", "60s"])
        let release = DispatchSemaphore(value: 0)
        let stale = "10.0.0.1 alpha\n10.0.0.9 stale\n"
        server.route("/profiles/office") { _ in
            .raw { socket in
                _ = release.wait(timeout: .now() + 60)
                let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"v0\"\r\n"
                LoopbackSocket.writeAll(
                    socket,
                    Array((head + "Content-Length: \(stale.utf8.count)\r\nConnection: close\r\n\r\n" + stale).utf8))
            }
        }
        let before = server.requests(to: "/profiles/office").count
        let first = try sandbox.launch(["sync", "--force"])
        defer { release.signal() }
        // Waits (bounded) until the first sync's request is at the server, so the second starts after it.
        let deadline = Date().addingTimeInterval(60)
        while server.requests(to: "/profiles/office").count == before, Date() < deadline { usleep(10_000) }
        #expect(server.requests(to: "/profiles/office").count > before)

        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n10.0.0.7 delta\n", etag: "\"v2\"")
        try sandbox.succeed(["sync", "--force"])
        #expect(sandbox.blockLines.contains("10.0.0.7 delta"))
        release.signal()
        first.process.waitUntilExit()
        let late = first.finish()
        #expect(late.stderr.contains("office: a fetch that started later was recorded first; this result not kept"))
        #expect(sandbox.blockLines.contains("10.0.0.7 delta"))
        #expect(!sandbox.blockLines.contains("10.0.0.9 stale"))
    }
}
