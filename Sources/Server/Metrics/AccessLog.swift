import Dispatch
import Foundation
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization

/// The access log: one line per answered request, at nginx's cost (its `access_log … buffer=32k flush=1s`).
/// A request only appends its line to a buffer in memory, under a lock held for the append; one writer
/// thread of its own writes the buffer out once it holds `bufferBytes` or its oldest line is
/// `flushInterval` old, and at graceful shutdown. So no event loop ever waits for the destination: a slow
/// or stuck one (a full disk, a pipe nobody reads) delays only the writer, and past `maxPendingBytes`
/// waiting, lines are dropped and counted instead of memory growing.
///
/// As a ``Service`` it starts the writer when run and, on graceful shutdown (it is shut down after the
/// HTTP server, which first finishes the requests in flight), writes what is left before returning.
final class AccessLog: Service, Sendable {
    struct Configuration: Sendable {
        var format: AccessLogFormat = .text
        /// Lines are written once this many bytes wait (nginx's `buffer=`)…
        var bufferBytes = 32 * 1024
        /// …or once the oldest waiting line is this old (nginx's `flush=`).
        var flushInterval: Duration = .seconds(1)
        /// What may wait while the destination does not keep up; lines beyond are dropped (and counted).
        var maxPendingBytes = 4 * 1024 * 1024
        /// How long graceful shutdown waits for the last lines to be written.
        var shutdownTimeout: Duration = .seconds(5)
    }

    private struct State {
        var pending: [UInt8] = []
        /// When the oldest waiting line was appended.
        var oldest: NIODeadline = .distantFuture
        var stopping = false
        /// The second `timeText` is for.
        var second: Int64 = -1
        var timeText: [UInt8] = []
    }

    let configuration: Configuration
    private let descriptor: CInt
    private let logger: Logger
    private let state: Mutex<State>
    /// Tells the writer a first line waits, the buffer is full, or it is time to stop.
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled by the writer when it has written everything and stopped.
    private let stopped = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)
    private let droppedLines: Counter
    private let writeErrors: Counter

    /// - Parameters:
    ///   - descriptor: where lines go (standard output by default); never closed by the log.
    ///   - registry: gets `hosts_server_access_log_dropped_lines_total` and `…_write_errors_total`.
    ///   - logger: the writer's own problems (a failing destination) are logged here, at most every 10 s.
    init(
        configuration: Configuration = Configuration(), descriptor: CInt = STDOUT_FILENO,
        registry: PrometheusCollectorRegistry, logger: Logger
    ) {
        self.configuration = configuration
        self.descriptor = descriptor
        self.logger = logger
        var initial = State()
        initial.pending.reserveCapacity(configuration.bufferBytes + 1024)
        state = Mutex(initial)
        droppedLines = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "hosts", subsystem: "server", metricName: "access_log_dropped_lines", unitName: "total",
                helpText: "Access-log lines dropped: the destination did not keep up or could not be written."))
        writeErrors = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "hosts", subsystem: "server", metricName: "access_log_write_errors", unitName: "total",
                helpText: "Failed writes to the access log's destination."))
    }

    /// Appends one request's line. Never blocks beyond the append: the writer thread does the writing.
    func logRequest(
        method: String, path: Substring, status: Int, bytes: Int, started: NIODeadline, remote: SocketAddress?
    ) {
        logRequest(
            method: method, path: path, status: status, bytes: bytes, started: started,
            remoteText: AccessLogLine.text(of: remote))
    }

    /// The same with the peer already formatted (``AccessLogLine/text(of:)``), once per connection.
    func logRequest(
        method: String, path: Substring, status: Int, bytes: Int, started: NIODeadline, remoteText: [UInt8]
    ) {
        let now = NIODeadline.now()
        let micros = max(0, (now - started).nanoseconds / 1000)
        let format = configuration.format
        let limit = configuration.maxPendingBytes
        let threshold = configuration.bufferBytes
        let second = Int64(time(nil))
        let (accepted, signal) = state.withLock { state -> (Bool, Bool) in
            let before = state.pending.count
            // A line is ~150 bytes plus its path, escaped (6 bytes a byte at most); one that does not fit is
            // dropped whole.
            guard before + 256 + 6 * path.utf8.count <= limit else { return (false, false) }
            if state.second != second {
                state.second = second
                state.timeText = Array(ISO8601.format(second).utf8)
            }
            let time = state.timeText
            AccessLogLine.append(
                to: &state.pending, format: format, time: time, remoteText: remoteText, method: method,
                path: path, status: status, bytes: bytes, micros: micros)
            if before == 0 { state.oldest = now }
            return (true, before == 0 || (before < threshold && state.pending.count >= threshold))
        }
        if !accepted { droppedLines.increment() }
        if signal { wake.signal() }
    }

    // MARK: Service

    func run() async throws {
        start()
        // Returns on graceful shutdown, or throws on cancellation: either way, write what is left.
        try? await gracefulShutdown()
        await finish()
    }

    /// Starts the writer thread (once).
    func start() {
        guard started.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        let thread = Thread { [self] in writerLoop() }
        thread.name = "access-log"
        thread.start()
    }

    /// Stops the writer once everything appended so far is written, waiting at most the shutdown timeout
    /// (a destination that blocks cannot hold up the exit). Returns whether everything was written.
    @discardableResult
    func finish() async -> Bool {
        start()
        state.withLock { $0.stopping = true }
        wake.signal()
        let stopped = stopped
        let timeout = configuration.shutdownTimeout
        let done = await withCheckedContinuation { continuation in
            // Waiting on a semaphore blocks: on a thread of its own, not the pool or an event loop.
            Thread {
                let done =
                    stopped.wait(timeout: .now() + .nanoseconds(Int(TimeAmount(timeout).nanoseconds))) == .success
                if done { stopped.signal() }  // for any other caller
                continuation.resume(returning: done)
            }.start()
        }
        if !done {
            let left = state.withLock { $0.pending.count }
            logger.error(
                "access log: destination blocked at exit; lines not written",
                metadata: ["bytes": "\(left)", "waited": "\(timeout)"])
        }
        return done
    }

    // MARK: Writer

    private func writerLoop() {
        var batch: [UInt8] = []
        batch.reserveCapacity(configuration.bufferBytes + 1024)
        var reporter = FailureReporter()
        while true {
            let (count, oldest, stopping) = state.withLock { ($0.pending.count, $0.oldest, $0.stopping) }
            if count == 0 {
                if stopping { break }
                wake.wait()
                continue
            }
            let due = oldest + TimeAmount(configuration.flushInterval)
            if count < configuration.bufferBytes, !stopping, NIODeadline.now() < due {
                _ = wake.wait(timeout: .now() + .nanoseconds(Int(max(0, (due - .now()).nanoseconds))))
                continue
            }
            state.withLock { state in
                swap(&state.pending, &batch)
                state.oldest = .distantFuture
            }
            if let failure = Self.writeAll(descriptor, batch) {
                let lost = batch[failure.offset...].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                writeErrors.increment()
                droppedLines.increment(by: Int64(lost))
                reporter.failed(errno: failure.errno, lines: lost, logger: logger)
            }
            batch.removeAll(keepingCapacity: true)
        }
        reporter.flush(logger: logger)
        stopped.signal()
    }

    /// Writes all of `bytes`, or returns how far it got and why it stopped.
    private static func writeAll(_ descriptor: CInt, _ bytes: [UInt8]) -> (offset: Int, errno: CInt)? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written > 0 {
                offset += written
                continue
            }
            let error = written < 0 ? errno : EIO
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK {
                // A descriptor someone made non-blocking: wait until it takes more (this thread may wait).
                var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                if poll(&poller, 1, 1000) > 0 { continue }
            }
            return (offset, error)
        }
        return nil
    }

    /// Logs the destination's failures at most every 10 s, with what was lost meanwhile.
    private struct FailureReporter {
        private var lastReport: NIODeadline = .uptimeNanoseconds(0)
        private var unreported = 0
        private var lastError: CInt = 0

        mutating func failed(errno: CInt, lines: Int, logger: Logger) {
            unreported += lines
            lastError = errno
            if NIODeadline.now() - lastReport >= .seconds(10) { flush(logger: logger) }
        }

        mutating func flush(logger: Logger) {
            guard unreported > 0 else { return }
            logger.error(
                "access log: write failed; lines dropped",
                metadata: ["error": "\(String(cString: strerror(lastError)))", "lines": "\(unreported)"])
            unreported = 0
            lastReport = .now()
        }
    }
}

/// How each access-log line is written (`--access-log-format`).
enum AccessLogFormat: String, CaseIterable, Sendable {
    /// `time=2026-12-01T12:00:00Z remote=10.0.0.5:51234 method=GET path=/profiles/office status=200 bytes=41
    /// duration_us=57`: logfmt, one `key=value` per field.
    case text
    /// One JSON object a line with the same keys; `status`, `bytes` and `duration_us` are numbers.
    case json
}
