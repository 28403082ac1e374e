import AsyncHTTPClient
import HostsCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Where a fetch was when it ended: the words a timeout or a dropped connection is reported with.
enum FetchPhase: Sendable, Equatable {
    case connecting
    case awaitingResponse
    case readingBody(received: Int)

    var description: String {
        switch self {
        case .connecting: "while connecting (TCP/TLS)"
        case .awaitingResponse: "while waiting for the response headers"
        case .readingBody(let received): "while reading the body (\(ByteCount.describe(received)) received)"
        }
    }
}

/// One response's head and body, as it streams in over AsyncHTTPClient.
///
/// The body is counted as it arrives — after Content-Encoding is undone, so a gzip bomb is counted by what it
/// expands to — and the transfer is failed the moment it passes the cap, before the bytes that pass it are kept.
/// AsyncHTTPClient only asks the server for more once a part is consumed, so at most one part sits beyond the
/// count. State is touched on the request's event loop and read by the awaiting task after the request ends; the
/// lock makes that hand-over explicit.
final class BodyCollector: HTTPClientResponseDelegate {
    struct Collected: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Thrown into the transfer when the body passes the cap.
    struct TooLarge: Error {}

    private struct State {
        var phase = FetchPhase.connecting
        var head: HTTPResponseHead?
        var received = 0
        var body: [UInt8] = []
    }

    let maxBytes: Int
    /// A redirect's body is never read: it is discarded once the head is in.
    let keepBody: (HTTPResponseHead) -> Bool
    private let state = NIOLockedValueBox(State())

    init(maxBytes: Int, keepBody: @escaping @Sendable (HTTPResponseHead) -> Bool) {
        self.maxBytes = maxBytes
        self.keepBody = keepBody
    }

    var phase: FetchPhase { state.withLockedValue { $0.phase } }

    /// The response status, once the head is in (a probe needs nothing more).
    var status: Int? { state.withLockedValue { $0.head.map { Int($0.status.code) } } }

    func didSendRequestHead(task: HTTPClient.Task<Collected>, _ head: HTTPRequestHead) {
        state.withLockedValue { $0.phase = .awaitingResponse }
    }

    func didReceiveHead(task: HTTPClient.Task<Collected>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let declared = head.headers.first(name: "Content-Length").flatMap { Int($0) }
        state.withLockedValue {
            $0.head = head
            $0.phase = .readingBody(received: 0)
            // Identity bodies can be reserved for up front; a gzip body's length says nothing of its expansion.
            if let declared, declared <= maxBytes, head.headers.first(name: "Content-Encoding") == nil {
                $0.body.reserveCapacity(declared)
            }
        }
        if let declared, declared > maxBytes { return task.eventLoop.makeFailedFuture(TooLarge()) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Collected>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
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

    func didFinishRequest(task: HTTPClient.Task<Collected>) throws -> Collected {
        try state.withLockedValue { state in
            guard let head = state.head else { throw HTTPClientError.remoteConnectionClosed }
            let body = state.body
            state.body = []
            return Collected(status: Int(head.status.code), headers: head.headers, body: body)
        }
    }
}
