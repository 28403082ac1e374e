import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A client that sends its requests, then reads nothing until told to, then reads until the server
/// closes (or 10 s pass without a byte).
public final class SlowReader: @unchecked Sendable {
    public init() {}

    private var fd: Int32 = -1
    private var bytes: [UInt8] = []
    private var closedByServer = false
    private let done = DispatchSemaphore(value: 0)

    /// Connects and sends `bytes`; with `halfClose`, then shuts down its sending side (the server sees
    /// the end of its input).
    public func send(_ bytes: [UInt8], port: Int, halfClose: Bool = false) throws {
        fd = try LoopbackSocket.connect(port: port)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard LoopbackSocket.writeAll(fd, bytes) else { throw POSIXError(.EPIPE) }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }
    }

    public func startReading(afterMilliseconds pause: Int) {
        startReading { usleep(useconds_t(pause * 1000)) }
    }

    /// Starts reading once nothing listens on `port` any more: the server has closed its listening socket, which
    /// is how its graceful shutdown begins (at most `seconds`, then it reads anyway). Watched in /proc/net, not
    /// by connecting: a connection arriving as the shutdown begins was seen to crash the in-process server.
    public func startReadingOnceNotListening(port: Int, seconds: Double = 60) {
        startReading {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end, LoopbackSocket.isListening(port: port) { usleep(20_000) }
        }
    }

    private func startReading(after wait: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            wait()
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
    public func received() async -> (bytes: [UInt8], closed: Bool) {
        await withCheckedContinuation { continuation in
            Thread { [self] in
                done.wait()
                continuation.resume()
            }.start()
        }
        return (bytes, closedByServer)
    }

    /// Waits for ``received()`` and checks the pipelined answers: whether the server closed the connection,
    /// and whether exactly `count` answers came, each a 200 carrying `body` (checked off the pool: it is
    /// megabytes in a debug build).
    public func receivedAnswers(count: Int, eachWithBody body: [UInt8]) async throws -> (closed: Bool, allWhole: Bool) {
        let (raw, closed) = await received()
        let allWhole = try await offThePool {
            try RawHTTPClient.parseAll(raw, methods: Array(repeating: "GET", count: count))
                .allSatisfy { $0.status == 200 && $0.body == body }
        }
        return (closed, allWhole)
    }
}
