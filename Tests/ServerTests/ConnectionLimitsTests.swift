import Foundation
import NIOEmbedded
import TestSupport
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ConnectionLimitsTests {
    /// Connections closed to make room count until they have closed (they may hold their descriptors for the
    /// close's grace): with `maxClosing` of them still closing, a new connection is refused instead of evicting
    /// another, and once one has closed, eviction resumes.
    @Test func connectionsStillClosingToMakeRoomCountAgainstTheLimit() {
        let limit = ConnectionLimit(
            maximum: 2, maxClosing: 1, metrics: ConnectionMetrics(registry: ServerMetrics().registry, maximum: 2))
        func admits(_ channel: EmbeddedChannel) -> (admitted: Bool, evicted: Bool) {
            switch limit.admit(channel) {
            case .admitted(_, let closing): (true, closing != nil)
            case .refused: (false, false)
            }
        }
        #expect(admits(EmbeddedChannel()) == (true, false))
        #expect(admits(EmbeddedChannel()) == (true, false))
        #expect(admits(EmbeddedChannel()) == (true, true), "at the limit, the longest-idle one makes room")
        #expect(admits(EmbeddedChannel()) == (false, false), "a second eviction while the first is still closing")
        limit.closedToMakeRoom()
        #expect(admits(EmbeddedChannel()) == (true, true))
        #expect(limit.count == 2)
    }

    /// A client that never finishes its request head is disconnected once the idle timeout passes,
    /// without any response.
    @Test func incompleteRequestHeadIsCutOff() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        var options = fixture.options()
        options.idleTimeout = .seconds(1)
        try await fixture.withServer(options) { _, port in
            // `exchange` returns when the server closes (its own limit is 10 s).
            let partial = "GET /profiles/office HTTP/1.1\r\nHost: x\r\nX-Slow: "
            let received = try await RawHTTPClient.exchange(Array(partial.utf8), port: port)
            #expect(received.isEmpty)
        }
    }

    /// The real binary at `--max-connections 2`: a third connection closes the one idle the longest, not the
    /// one idle since later.
    @Test func atTheLimitTheLongestIdleConnectionIsClosedFirst() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        let server = try await offThePool {
            try HostsServerProcess(directory: fixture.path, extraArguments: ["--max-connections", "2"])
        }
        defer { server.stop() }
        let port = server.port
        // (Checked here, not on the blocking thread, where a failed expectation belongs to no test.)
        let outcome = try await offThePool { () -> (statuses: [Int], firstClosed: Bool, secondAfter: Int) in
            let poll = Array("GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            // One after the other, so the first is idle the longest when the third arrives.
            let first = try KeptConnection(port: port)
            defer { first.close() }
            var statuses = [try first.exchange(poll)]
            let second = try KeptConnection(port: port)
            defer { second.close() }
            statuses.append(try second.exchange(poll))
            let third = try KeptConnection(port: port)
            defer { third.close() }
            statuses.append(try third.exchange(poll))
            return (statuses, first.waitForClose(seconds: 10), try second.exchange(poll))
        }
        #expect(outcome.statuses == [200, 200, 200])
        #expect(outcome.firstClosed, "the longest-idle connection stays open")
        #expect(outcome.secondAfter == 200)
    }

    /// Connections whose answers are still queued (a client that pipelines and does not read) are busy, not
    /// idle: at the limit the new connection is refused instead, and the busy ones get every answer.
    @Test func atTheLimitWithEveryConnectionBusyTheNewOneIsRefused() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let big = SampleProfiles.large(3000)
        try fixture.publish("big.hosts", big)
        let server = try await offThePool {
            try HostsServerProcess(directory: fixture.path, extraArguments: ["--max-connections", "2"])
        }
        defer { server.stop() }
        let port = server.port
        // 120 answers of ~100 KB: far more than the socket buffers hold while nobody reads.
        let requests = 120
        var flood = String(repeating: "GET /profiles/big HTTP/1.1\r\nHost: x\r\n\r\n", count: requests - 1)
        flood += "GET /profiles/big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let floodBytes = Array(flood.utf8)
        let (started, refused, received) = try await offThePool { () -> ([Bool], Bool, [[UInt8]]) in
            var readers: [KeptConnection] = []
            defer { for reader in readers { reader.close() } }
            var started: [Bool] = []
            for _ in 0..<2 {
                let reader = try KeptConnection(port: port)
                readers.append(reader)
                started.append(LoopbackSocket.writeAll(reader.fd, floodBytes) && reader.waitForData(seconds: 10))
            }
            let newcomer = try KeptConnection(port: port)
            defer { newcomer.close() }
            _ = LoopbackSocket.writeAll(newcomer.fd, Array("GET /profiles/big HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let refused = newcomer.waitForClose(seconds: 10)
            return (started, refused, readers.map { LoopbackSocket.readToEnd($0.fd) })
        }
        #expect(started == [true, true], "no answer started")
        #expect(refused, "the new connection was not refused")
        for raw in received {
            let responses = try RawHTTPClient.parseAll(raw, methods: Array(repeating: "GET", count: requests))
            #expect(responses.allSatisfy { $0.status == 200 && $0.body == Array(big.utf8) })
        }
        // The flood's connections close as their last answer leaves; until then /metrics may be refused too.
        var metrics = ""
        _ = await eventually {
            metrics = (try? await RawHTTPClient.request("GET", "/metrics", port: port).text) ?? ""
            return !metrics.isEmpty
        }
        let refusedCount = DescriptorExhaustionTests.value(
            of: #"hosts_server_connections_shed_total{reason="refused"}"#, in: metrics)
        #expect((refusedCount ?? 0) >= 1, "\(metrics)")
    }
}

/// A blocking keep-alive client connection for the connection-limit tests (run off the cooperative pool).
private final class KeptConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = try LoopbackSocket.connect(port: port)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends one request and reads its answer (a small body with Content-Length); returns the status.
    func exchange(_ request: [UInt8]) throws -> Int {
        guard LoopbackSocket.writeAll(fd, request) else { throw ExchangeError.failed("send failed") }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw ExchangeError.failed("closed after \(received.count) bytes") }
            received.append(contentsOf: chunk[0..<count])
            if let response = try? RawHTTPClient.parse(received),
                let length = response.header("Content-Length").flatMap(Int.init), response.body.count >= length
            {
                return response.status
            }
        }
    }

    /// Whether the server closed it (EOF or reset, nothing to read) within `seconds`.
    func waitForClose(seconds: Int) -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var byte: UInt8 = 0
        while ContinuousClock.now < deadline {
            let count = recv(fd, &byte, 1, 0)
            if count == 0 || (count < 0 && errno == ECONNRESET) { return true }
            if count < 0, errno != EINTR, errno != EAGAIN { return false }
        }
        return false
    }

    /// Whether answer bytes arrived within `seconds` (peeked, left to read).
    func waitForData(seconds: Int) -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var byte: UInt8 = 0
        while ContinuousClock.now < deadline {
            if recv(fd, &byte, 1, Int32(MSG_PEEK)) == 1 { return true }
        }
        return false
    }

    func close() { Glibc.close(fd) }

    enum ExchangeError: Error {
        case failed(String)
    }
}
