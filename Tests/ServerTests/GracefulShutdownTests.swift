import Foundation
import TestSupport
import Testing

@testable import Server

@Suite struct GracefulShutdownTests {
    /// Graceful shutdown (what SIGTERM starts) lets answers already queued for a slow reader reach it
    /// whole, instead of closing the connection under them.
    @Test func answersQueuedForASlowReaderAreDeliveredDuringShutdown() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let profile = Array(SampleProfiles.large(3000).utf8)
        try fixture.publish("office.hosts", String(decoding: profile, as: UTF8.self))
        // About 23 MB of answers: more than the loopback socket buffers hold, so some wait in the server.
        let count = 200
        let requests = String(repeating: "GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n", count: count)
        let reader = SlowReader()
        try await fixture.withServer { _, port in
            try reader.send(Array(requests.utf8), port: port)
            // Time for the server to answer everything and fill the buffers; then shutdown begins (when
            // this closure returns) while the reader is still asleep.
            try await Task.sleep(for: .milliseconds(300))
            reader.startReading(afterMilliseconds: 500)
        }
        let (closed, allWhole) = try await reader.receivedAnswers(count: count, eachWithBody: profile)
        #expect(closed, "the server must close the connection once everything is sent")
        #expect(allWhole)
    }
}
