import Foundation
import TestSupport
import Testing

@testable import Server

/// Clients that read slowly, or not at all, or stop sending: every answer owed still arrives whole, and a
/// client that never reads cannot make the server queue answers without end.
@Suite struct SlowClientTests {
    /// The client sends its requests and closes its sending side at once (`nc -N`, shell scripts): the
    /// answers to everything it sent still reach it, then the server closes.
    @Test func halfClosedClientGetsEveryAnswer() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let profile = Array(SampleProfiles.large(3000).utf8)
        try fixture.publish("office.hosts", String(decoding: profile, as: UTF8.self))
        try await fixture.withServer { _, port in
            let count = 100  // about 11 MB: more than the loopback buffers hold while the reader sleeps
            let reader = SlowReader()
            try reader.send(
                Array(String(repeating: "GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n", count: count).utf8),
                port: port,
                halfClose: true)
            reader.startReading(afterMilliseconds: 500)
            let (closed, allWhole) = try await reader.receivedAnswers(count: count, eachWithBody: profile)
            #expect(closed)
            #expect(allWhole)
        }
    }

    /// A client pipelining requests without ever reading: once its socket is full the server stops
    /// answering and stops reading, instead of queueing an answer for every request it can read.
    @Test func clientThatNeverReadsIsNotAnsweredWithoutEnd() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.large(3000))
        try await fixture.withServer { _, port in
            let fd = try LoopbackSocket.connect(port: port)
            defer { close(fd) }
            // 100,000 requests (4.4 MB); sending stops by itself when the server stops reading.
            let requests = Array(
                String(repeating: "GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n", count: 100_000).utf8)
            let sender = Thread {
                var timeout = timeval(tv_sec: 3, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                _ = LoopbackSocket.writeAll(fd, requests)
            }
            sender.start()
            try await Task.sleep(for: .milliseconds(1500))
            let metrics = try await RawHTTPClient.request("GET", "/metrics", port: port).text
            let answered =
                metrics.split(separator: "\n")
                .first { $0.hasPrefix(#"hosts_server_requests_total{route="profile",status="200"} "#) }
                .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            // What fits in the socket buffers (a few MB of 114 KB answers), not the thousands it was sent.
            #expect(answered > 0)
            #expect(answered < 2000, "answered \(answered) requests nobody reads")
        }
    }
}
