import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct WatchTests {
    /// watch keeps going through a server outage and picks up new content when the server is back.
    @Test func watchSurvivesAnOutage() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n", etag: "\"v1\"")
        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office"), "--every", "10s"])
        server.route("/profiles/office") { _ in .status(503) }

        // 10 s is the shortest interval the client takes (segment and watch alike).
        let watch = try sandbox.launch(["watch", "--every", "10s"])
        defer {
            if watch.process.isRunning { kill(watch.process.processIdentifier, SIGKILL) }
            watch.process.waitUntilExit()
        }
        let failedOnce = waitUntil {
            (sandbox.file("cache/office.meta.json").map { String(decoding: $0, as: UTF8.self) } ?? "").contains(
                "HTTP 503")
        }
        #expect(failedOnce, "watch never tried during the outage")
        #expect(watch.process.isRunning, "watch must survive the outage")
        #expect(sandbox.blockLines.contains("10.0.0.1 alpha"), "cached copy still applied")

        server.serveHosts("/profiles/office", "10.0.0.2 alpha\n", etag: "\"v2\"")
        let recovered = waitUntil { sandbox.blockLines.contains("10.0.0.2 alpha") }
        #expect(recovered, "watch never applied the new content")
        kill(watch.process.processIdentifier, SIGTERM)
        watch.process.waitUntilExit()
        let output = watch.finish()
        #expect(output.stderr.contains("segment office failed: HTTP 503"))
    }

    /// Polls for up to 40 s (bounded; not a timing assertion): a round is due every 10 s.
    func waitUntil(_ condition: () -> Bool) -> Bool {
        for _ in 0..<400 {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }
}
