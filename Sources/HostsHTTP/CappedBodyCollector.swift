import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// One response's head and body as it streams in over AsyncHTTPClient, failed the moment the body passes
/// `maxBytes` (or its `Content-Length` says it will), before the bytes that pass it are kept.
///
/// The count is of what AsyncHTTPClient hands over: with its decompression on, after Content-Encoding is undone, so
/// a gzip bomb is counted by what it expands to. AsyncHTTPClient asks the server for more only once a part is
/// consumed, so at most one part sits beyond the count. State is touched on the request's event loop and read by
/// the awaiting task once the request ends; the lock makes the hand-over explicit.
public final class CappedBodyCollector: HTTPClientResponseDelegate {
    /// The head and the kept body of a finished exchange.
    public struct Collected: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: [UInt8]
    }

    /// Thrown into the transfer when the body passes the cap; `declared` when the head announced it.
    public struct TooLarge: Error {
        public var declared: Int?
    }

    private struct State {
        var phase = TransferPhase.connecting
        var head: HTTPResponseHead?
        var received = 0
        var body: [UInt8] = []
    }

    public let maxBytes: Int
    /// Whether a response's body is kept once its head is in (a redirect's is counted, never kept).
    private let keepBody: @Sendable (HTTPResponseHead) -> Bool
    private let state = NIOLockedValueBox(State())

    public init(maxBytes: Int, keepBody: @escaping @Sendable (HTTPResponseHead) -> Bool = { _ in true }) {
        self.maxBytes = maxBytes
        self.keepBody = keepBody
    }

    public var phase: TransferPhase { state.withLockedValue { $0.phase } }

    /// The response status, once the head is in (a probe needs nothing more).
    public var status: Int? { state.withLockedValue { $0.head.map { Int($0.status.code) } } }

    public func didSendRequestHead(task: HTTPClient.Task<Collected>, _ head: HTTPRequestHead) {
        state.withLockedValue { $0.phase = .awaitingResponse }
    }

    public func didReceiveHead(task: HTTPClient.Task<Collected>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let declared = head.headers.first(name: "Content-Length").flatMap { Int($0) }
        state.withLockedValue {
            $0.head = head
            $0.phase = .readingBody(received: 0)
            // Identity bodies can be reserved for up front; a gzip body's length says nothing of its expansion.
            if let declared, declared <= maxBytes, head.headers.first(name: "Content-Encoding") == nil {
                $0.body.reserveCapacity(declared)
            }
        }
        if let declared, declared > maxBytes { return task.eventLoop.makeFailedFuture(TooLarge(declared: declared)) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    public func didReceiveBodyPart(task: HTTPClient.Task<Collected>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let over: Bool = state.withLockedValue { state in
            state.received += buffer.readableBytes
            state.phase = .readingBody(received: state.received)
            guard state.received <= maxBytes else {
                state.body = []
                return true
            }
            if let head = state.head, keepBody(head) { state.body.append(contentsOf: buffer.readableBytesView) }
            return false
        }
        return over ? task.eventLoop.makeFailedFuture(TooLarge()) : task.eventLoop.makeSucceededVoidFuture()
    }

    public func didFinishRequest(task: HTTPClient.Task<Collected>) throws -> Collected {
        try state.withLockedValue { state in
            guard let head = state.head else { throw HTTPClientError.remoteConnectionClosed }
            let body = state.body
            state.body = []
            return Collected(status: Int(head.status.code), headers: head.headers, body: body)
        }
    }
}
