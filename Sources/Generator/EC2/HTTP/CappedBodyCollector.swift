import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Where an exchange was when it ended: the words a timeout or a dropped connection is reported with.
enum TransferPhase: Sendable, Equatable {
    case connecting
    case awaitingResponse
    case readingBody(received: Int)

    var description: String {
        switch self {
        case .connecting: "while connecting"
        case .awaitingResponse: "while waiting for the response headers"
        case .readingBody(let received): "while reading the body (\(received) bytes received)"
        }
    }
}

/// One response's head and body as it streams in, failed the moment the body passes `maxBytes` (or its
/// `Content-Length` says it will), before the bytes that pass it are kept. AsyncHTTPClient asks the server for more
/// only once a part is consumed, so at most one part sits beyond the count. State is touched on the request's event
/// loop and read by the awaiting task once the request ends; the lock makes the hand-over explicit.
final class CappedBodyCollector: HTTPClientResponseDelegate {
    /// Thrown into the transfer when the body passes the cap; `declared` when the head announced it.
    struct TooLarge: Error { var declared: Int? }

    private struct State {
        var phase = TransferPhase.connecting
        var head: HTTPResponseHead?
        var received = 0
        var body = Data()
    }

    let maxBytes: Int
    private let state = NIOLockedValueBox(State())

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    var phase: TransferPhase { state.withLockedValue { $0.phase } }

    func didSendRequestHead(task: HTTPClient.Task<HTTPResponse>, _ head: HTTPRequestHead) {
        state.withLockedValue { $0.phase = .awaitingResponse }
    }

    func didReceiveHead(task: HTTPClient.Task<HTTPResponse>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let declared = head.headers.first(name: "Content-Length").flatMap { Int($0) }
        state.withLockedValue {
            $0.head = head
            $0.phase = .readingBody(received: 0)
            if let declared, declared <= maxBytes { $0.body.reserveCapacity(declared) }
        }
        if let declared, declared > maxBytes { return task.eventLoop.makeFailedFuture(TooLarge(declared: declared)) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<HTTPResponse>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let over: Bool = state.withLockedValue { state in
            state.received += buffer.readableBytes
            state.phase = .readingBody(received: state.received)
            guard state.received <= maxBytes else {
                state.body = Data()
                return true
            }
            state.body.append(contentsOf: buffer.readableBytesView)
            return false
        }
        return over ? task.eventLoop.makeFailedFuture(TooLarge()) : task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<HTTPResponse>) throws -> HTTPResponse {
        try state.withLockedValue { state in
            guard let head = state.head else { throw HTTPClientError.remoteConnectionClosed }
            var fields: [String: String] = [:]
            for (name, value) in head.headers {
                let key = name.lowercased()
                fields[key] = fields[key].map { "\($0), \(value)" } ?? value
            }
            let body = state.body
            state.body = Data()
            return HTTPResponse(status: Int(head.status.code), headers: fields, body: body)
        }
    }
}
