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
        let (raw, closed) = await reader.received()
        #expect(closed, "the server must close the connection once everything is sent")
        let responses = try RawHTTPClient.parseAll(raw, methods: Array(repeating: "GET", count: count))
        #expect(responses.allSatisfy { $0.status == 200 && $0.body == profile })
    }
}

/// A client that sends its requests, then reads nothing until told to, then reads until the server
/// closes (or 10 s pass without a byte).
private final class SlowReader: @unchecked Sendable {
    private var fd: Int32 = -1
    private var bytes: [UInt8] = []
    private var closedByServer = false
    private let done = DispatchSemaphore(value: 0)

    func send(_ bytes: [UInt8], port: Int) throws {
        fd = try LoopbackSocket.connect(port: port)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard LoopbackSocket.writeAll(fd, bytes) else { throw POSIXError(.EPIPE) }
    }

    func startReading(afterMilliseconds pause: Int) {
        let thread = Thread { [self] in
            usleep(useconds_t(pause * 1000))
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 {
                    closedByServer = count == 0
                    break
                }
                bytes.append(contentsOf: chunk[0..<count])
            }
            close(fd)
            done.signal()
        }
        thread.start()
    }

    /// What arrived, and whether the server closed the connection (rather than the wait timing out).
    func received() async -> (bytes: [UInt8], closed: Bool) {
        await withCheckedContinuation { continuation in
            Thread { [self] in
                done.wait()
                continuation.resume()
            }.start()
        }
        return (bytes, closedByServer)
    }
}
