import Foundation
import TestSupport
import Testing

/// The real hosts-server binary and SIGTERM: it stops, but only once the answers it already queued for
/// a slow reader have reached it, and it exits cleanly.
@Suite struct ServerShutdownTests {
    @Test func sigtermLetsQueuedAnswersReachASlowReaderThenExitsCleanly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pseudodns-shutdown-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let profile = Array(
            (0..<3000).map { "10.\($0 / 65536 % 256).\($0 / 256 % 256).\($0 % 256)\thost\($0).example.internal\n" }
                .joined().utf8)
        try Data(profile).write(to: directory.appendingPathComponent("office.hosts"))
        let server = try await offThePool { try HostsServerProcess(directory: directory.path) }

        // About 23 MB of answers: more than the loopback socket buffers hold, so some wait in the server.
        let count = 200
        let reader = SlowReader()
        try reader.send(
            Array(String(repeating: "GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n", count: count).utf8),
            port: server.port)
        try await Task.sleep(for: .milliseconds(300))
        server.terminate()
        reader.startReading(afterMilliseconds: 500)

        let (closed, allWhole) = try await reader.receivedAnswers(count: count, eachWithBody: profile)
        #expect(closed, "the server must close the connection once everything is sent")
        #expect(allWhole)
        #expect(try await offThePool { server.waitForExit() } == 0)
        // Stopped listening: a new connection is refused.
        #expect((try? LoopbackSocket.connect(port: server.port)) == nil)
    }
}
