import Foundation
import NIOCore
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
    @Test func connectionsStillClosingToMakeRoomCountAgainstTheLimit() throws {
        let limit = ConnectionLimit(
            maximum: 2, maxClosing: 1, metrics: ConnectionMetrics(registry: ServerMetrics().registry, maximum: 2))
        var evicted: ConnectionSlot?
        func admits(_ channel: EmbeddedChannel) -> (admitted: Bool, evicted: Bool) {
            switch limit.admit(channel) {
            case .admitted(_, let closing):
                if let closing { evicted = closing.slot }
                return (true, closing != nil)
            case .refused: return (false, false)
            }
        }
        #expect(admits(EmbeddedChannel()) == (true, false))
        #expect(admits(EmbeddedChannel()) == (true, false))
        #expect(admits(EmbeddedChannel()) == (true, true), "at the limit, the longest-idle one makes room")
        #expect(admits(EmbeddedChannel()) == (false, false), "a second eviction while the first is still closing")
        limit.remove(try #require(evicted))
        #expect(admits(EmbeddedChannel()) == (true, true))
        #expect(limit.count == 2)
    }

    /// At the limit, an idle connection whose answers are still queued (a slow reader, below the high-water mark)
    /// is spared when it is chosen: another idle connection closes in its place, and the spared one keeps its
    /// answers (it gets no close, no grace deadline).
    @Test func anIdleConnectionWithAnswersQueuedIsSparedForAnotherIdleOne() throws {
        let limit = ConnectionLimit(
            maximum: 2, metrics: ConnectionMetrics(registry: ServerMetrics().registry, maximum: 2))
        let (slow, slowEvents) = try Self.recordingChannel()
        let (idle, idleEvents) = try Self.recordingChannel()
        let slowSlot = try Self.admitted(slow, limit)
        let idleSlot = try Self.admitted(idle, limit)
        // The slow reader has been idle the longest, so it is the one chosen.
        slowSlot.markIdle(.uptimeNanoseconds(1_000))
        idleSlot.markIdle(.uptimeNanoseconds(2_000))
        // Written, not yet sent: EmbeddedChannel counts what is not flushed as queued.
        slow.write(ByteBuffer(string: "an answer the client has not read"), promise: nil)

        let (victim, newcomer) = try Self.victim(admitting: EmbeddedChannel(), limit)
        #expect(victim.slot === slowSlot && !victim.lastResort)
        limit.closeToMakeRoom(victim)
        try slow.embeddedEventLoop.run()
        try idle.embeddedEventLoop.run()
        #expect(slowEvents.count == 0, "the slow reader was asked to close")
        #expect(idleEvents.count == 1, "the other idle connection was not asked to close")
        #expect(limit.slot(for: slow) === slowSlot, "the slow reader no longer counts")
        #expect(limit.slot(for: idle) == nil)
        slow.embeddedEventLoop.advanceTime(by: .seconds(3))
        idle.embeddedEventLoop.advanceTime(by: .seconds(3))
        #expect(slow.isActive)
        #expect(!idle.isActive, "closing to make room ends with the grace")

        // Chosen again before its next answer, it is the last resort: nothing else is idle.
        newcomer.markBusy()
        let (next, _) = try Self.victim(admitting: EmbeddedChannel(), limit)
        #expect(next.slot === slowSlot && next.lastResort)

        // What marks it is its idle time: an answer since (idle since later) makes the mark stale.
        #expect(slowSlot.wasQueued(whileIdleSince: 1_000))
        slowSlot.markIdle(.uptimeNanoseconds(2_500))
        #expect(!slowSlot.wasQueued(whileIdleSince: 2_500))
    }

    /// When no other connection is idle, the one with answers queued closes after all, but as a graceful close
    /// (answers first), and a connection that became busy meanwhile is not chosen.
    @Test func anIdleConnectionWithAnswersQueuedClosesWhenNoOtherIsIdle() throws {
        let limit = ConnectionLimit(
            maximum: 2, metrics: ConnectionMetrics(registry: ServerMetrics().registry, maximum: 2))
        let (slow, slowEvents) = try Self.recordingChannel()
        let (busy, busyEvents) = try Self.recordingChannel()
        let slowSlot = try Self.admitted(slow, limit)
        try Self.admitted(busy, limit).markBusy()
        slow.write(ByteBuffer(string: "an answer the client has not read"), promise: nil)

        let (victim, _) = try Self.victim(admitting: EmbeddedChannel(), limit)
        #expect(victim.slot === slowSlot && !victim.lastResort)
        limit.closeToMakeRoom(victim)
        // Spared, then chosen again as the last resort (not the newcomer it makes room for, idle as it is).
        try slow.embeddedEventLoop.run()
        try slow.embeddedEventLoop.run()
        try busy.embeddedEventLoop.run()
        #expect(slowEvents.count == 1)
        #expect(busyEvents.count == 0)
        #expect(limit.slot(for: slow) == nil)
        #expect(limit.count == 2)
    }

    /// The attack: connections arrive at the limit while a slow reader has answers queued in the server, below its
    /// high-water mark (the socket buffers full, the client not reading). The slow reader has been idle the longest,
    /// but closing it would cut answers the server accepted once the grace ends: the other idle connection is
    /// closed instead, and the slow reader gets every byte when it reads again. With or without a chunked body
    /// before (after one, NIO's parser and Hummingbird frame the connection).
    @Test(arguments: [false, true]) func atTheLimitASlowReaderWithAnswersQueuedKeepsThem(afterChunkedBody: Bool)
        async throws
    {
        let outcome = try await Self.withSlowReader(afterChunkedBody: afterChunkedBody) {
            port, slow, queued -> (queued: Int, statuses: [Int], otherClosed: Bool, expected: Int, received: Int) in
            let poll = Array("GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            // Idle since after the slow reader's last answer.
            let other = try KeptConnection(port: port)
            defer { other.close() }
            var statuses = [try other.exchange(poll).status]
            let queuedThen = queued.bytes - slow.queuedInKernel(serverPort: port)
            let newcomer = try KeptConnection(port: port)
            defer { newcomer.close() }
            statuses.append(try newcomer.exchange(poll).status)
            let otherClosed = other.waitForClose(seconds: 20)
            let received = slow.read(atMost: queued.bytes)
            return (queuedThen, statuses, otherClosed, queued.bytes, received)
        }
        #expect(outcome.queued > 0, "no answer was left queued in the server: the test proves nothing")
        #expect(outcome.statuses == [200, 200])
        #expect(outcome.otherClosed, "the other idle connection was not closed to make room")
        #expect(outcome.received == outcome.expected, "the slow reader lost answers")
    }

    /// When the slow reader with answers queued is the only idle connection, it is closed to make room after all,
    /// but only once its answers have left (within the grace): a client that reads them then gets every byte,
    /// then the close. After a chunked body too, where Hummingbird's own quiesce would close at once.
    @Test(arguments: [false, true]) func aSlowReaderClosedAsTheLastResortGetsItsAnswersFirst(afterChunkedBody: Bool)
        async throws
    {
        let outcome = try await Self.withSlowReader(afterChunkedBody: afterChunkedBody) {
            port, slow, queued -> (status: Int, expected: Int, received: Int, closed: Bool) in
            // Busy: a client that pipelines and does not read, with more answers than the socket buffers hold
            // (120 of ~100 KB): the server's queue passes its high-water mark as soon as it has read them (its
            // one event loop, --threads 1, answers until then before it accepts the next connection).
            let busy = try KeptConnection(port: port, receiveBuffer: 4096)
            defer { busy.close() }
            let flood = String(repeating: "GET /profiles/big HTTP/1.1\r\nHost: x\r\n\r\n", count: 120)
            guard LoopbackSocket.writeAll(busy.fd, Array(flood.utf8)) else { throw ExchangeFailure("send failed") }
            try busy.waitUntilRead(serverPort: port)
            let newcomer = try KeptConnection(port: port)
            defer { newcomer.close() }
            let status = try newcomer.exchange(Array("GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n".utf8)).status
            let received = slow.read(atMost: queued.bytes)
            return (status, queued.bytes, received, slow.waitForClose(seconds: 20))
        }
        #expect(outcome.status == 200)
        #expect(outcome.received == outcome.expected, "the slow reader lost answers")
        #expect(outcome.closed, "the slow reader was not closed to make room")
    }

    /// The real binary at `--max-connections 2` serving `office`, `mid` (~32 KB) and `big` (~100 KB), with a slow
    /// reader that has answers of `mid` queued in the server (``KeptConnection/queueAnswers(_:port:)``), after a
    /// chunked body when asked; `then` goes on, off the pool, with the server's port, the slow reader and the bytes
    /// of answers it has not read.
    private static func withSlowReader<T: Sendable>(
        afterChunkedBody: Bool, then: @escaping @Sendable (Int, KeptConnection, (requests: Int, bytes: Int)) throws -> T
    ) async throws -> T {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try fixture.publish("mid.hosts", SampleProfiles.large(900))
        try fixture.publish("big.hosts", SampleProfiles.large(3000))
        let server = try await offThePool {
            try HostsServerProcess(directory: fixture.path, extraArguments: ["--max-connections", "2"])
        }
        defer { server.stop() }
        let port = server.port
        return try await offThePool {
            let slow = try KeptConnection(port: port, receiveBuffer: 4096)
            defer { slow.close() }
            if afterChunkedBody {
                let chunked = "POST /profiles/office HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                guard try slow.exchange(Array(chunked.utf8)).status == 405 else { throw ExchangeFailure("no 405") }
            }
            let queued = try slow.queueAnswers(Array("GET /profiles/mid HTTP/1.1\r\nHost: x\r\n\r\n".utf8), port: port)
            return try then(port, slow, queued)
        }
    }

    /// An EmbeddedChannel that records the connection limit's close events.
    private static func recordingChannel() throws -> (EmbeddedChannel, CloseEvents) {
        let events = CloseEvents()
        let channel = EmbeddedChannel(handler: events)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, events)
    }

    private static func admitted(_ channel: EmbeddedChannel, _ limit: ConnectionLimit) throws -> ConnectionSlot {
        guard case .admitted(let slot, closing: nil) = limit.admit(channel) else {
            throw ExchangeFailure("not admitted without closing another")
        }
        return slot
    }

    /// The connection chosen to make room for `channel`, and `channel`'s slot.
    private static func victim(admitting channel: EmbeddedChannel, _ limit: ConnectionLimit) throws -> (
        ConnectionLimit.Victim, ConnectionSlot
    ) {
        guard case .admitted(let slot, let closing?) = limit.admit(channel) else {
            throw ExchangeFailure("admitted without closing another")
        }
        return (closing, slot)
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
            var statuses = [try first.exchange(poll).status]
            let second = try KeptConnection(port: port)
            defer { second.close() }
            statuses.append(try second.exchange(poll).status)
            let third = try KeptConnection(port: port)
            defer { third.close() }
            statuses.append(try third.exchange(poll).status)
            return (statuses, first.waitForClose(seconds: 10), try second.exchange(poll).status)
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

/// Counts ``ConnectionSlot/CloseToMakeRoom`` events.
private final class CloseEvents: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private(set) var count = 0

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ConnectionSlot.CloseToMakeRoom { count += 1 }
        context.fireUserInboundEventTriggered(event)
    }
}

private struct ExchangeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A blocking keep-alive client connection for the connection-limit tests (run off the cooperative pool).
private final class KeptConnection {
    let fd: Int32

    init(port: Int, receiveBuffer: Int? = nil) throws {
        fd = try LoopbackSocket.connect(port: port, receiveBuffer: receiveBuffer)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Each request leaves at once, not after the server's delayed acknowledgement of the one before.
        var yes: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends one request and reads its answer (a body with Content-Length): its status, and its size in bytes.
    func exchange(_ request: [UInt8]) throws -> (status: Int, size: Int) {
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
                return (response.status, received.count)
            }
        }
    }

    /// Makes the server hold this connection's answers, as for a client that stops reading: sends `request` (whose
    /// answers are all the same size) one at a time, unread, until ~20 KB of answers are queued in the server,
    /// past what the kernel's buffers hold — below the server's high-water mark (64 KiB), so the connection still
    /// counts as idle. Returns the bytes of answers sent and unread. At most 2 000 requests.
    func queueAnswers(_ request: [UInt8], port: Int) throws -> (requests: Int, bytes: Int) {
        let size = try exchange(request).size
        for sent in 1...2_000 {
            guard LoopbackSocket.writeAll(fd, request) else { throw KeptConnection.ExchangeError.failed("send failed") }
            // Read by the server, and so answered while it is writable; Hummingbird (after a chunked body) answers
            // a moment later: what the kernel holds settles then.
            try waitUntilRead(serverPort: port)
            var kernel = queuedInKernel(serverPort: port)
            var steady = 0
            for _ in 0..<200 where steady < 3 {
                usleep(10_000)
                let now = queuedInKernel(serverPort: port)
                steady = now == kernel ? steady + 1 : 0
                kernel = now
            }
            if sent * size - kernel >= 20_000 { return (sent, sent * size) }
        }
        throw ExchangeError.failed("2 000 answers did not back up into the server")
    }

    /// Waits (up to 10 s) until the server has read all this client sent: its receive queue is empty.
    func waitUntilRead(serverPort: Int) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while LoopbackSocket.queues(localPort: serverPort, remotePort: LoopbackSocket.localPort(fd))?.receive != 0 {
            guard ContinuousClock.now < deadline else { throw ExchangeError.failed("the server did not read") }
            usleep(1_000)
        }
    }

    /// The bytes the kernel holds on the way to this client, unread: in the server's send queue and in this
    /// socket's receive queue.
    func queuedInKernel(serverPort: Int) -> Int {
        let local = LoopbackSocket.localPort(fd)
        let server = LoopbackSocket.queues(localPort: serverPort, remotePort: local)?.send ?? 0
        let client = LoopbackSocket.queues(localPort: local, remotePort: serverPort)?.receive ?? 0
        return server + client
    }

    /// Reads until `count` bytes, the server's close, or 10 s without any byte; returns how many arrived.
    func read(atMost count: Int) -> Int {
        var received = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while received < count {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, count - received), 0) }
            if got < 0, errno == EINTR { continue }
            if got <= 0 { break }
            received += got
        }
        return received
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
