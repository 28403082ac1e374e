import NIOCore
import NIOHTTP1

/// The connection as NIO's HTTP parser delivers it to Hummingbird, just above the parser:
/// - timeouts, for requests answered by the fast path and by Hummingbird alike: idle (no request outstanding
///   and no complete request head for `idle` — this also bounds a client that dribbles its headers, since only
///   a whole head counts as activity) and request (a request given to Hummingbird whose response is not
///   written `request` after its head arrived). One timer per connection, re-armed when it fires, so a request
///   costs a clock read, not a timer;
/// - whether the connection is idle, for the connection limit: not while Hummingbird owes an answer (nor, by
///   ``ConnectionSlot``, while answers are queued beyond the socket's high-water mark); a connection closed to
///   make room closes as a graceful shutdown would (``ConnectionSlot/CloseToMakeRoom``), so answers still
///   queued below that mark reach the client first;
/// - HTTP/1.0 and `Connection: close` semantics on Hummingbird's answers, as the fast path has them: the answer
///   says `Connection: close` and the connection closes after it, unless an HTTP/1.0 client asked for
///   keep-alive (then the answer says `Connection: keep-alive`). A CONNECT or `Upgrade` request that reaches
///   NIO's parser (only after a chunked body: otherwise ``FastPathHandler`` refuses or strips them) closes too,
///   since the parser stops reading after it;
/// - the parser's errors: answered with a framed, dated 400 (``PlainAnswer``), counted and logged, then the
///   connection closes (Hummingbird's own 400 has no Date and is neither counted nor logged). When Hummingbird
///   still owes answers, the 400 follows the last of them.
final class HTTPPartsHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Timeouts {
        var idle: TimeAmount
        var request: TimeAmount
    }

    /// What an answer's head says about the connection, and whether it closes after the answer.
    enum Persistence {
        case keep
        /// HTTP/1.0 with keep-alive asked for.
        case keepAlive
        case close
    }

    private let timeouts: Timeouts
    private let accounting: RequestAccounting
    /// Requests passed on whose response has not been written yet, oldest first.
    private var outstanding = CircularBuffer<Persistence>()
    private var lastActivity = NIODeadline.now()
    private var oldestOutstanding: NIODeadline?
    private var timer: Scheduled<Void>?
    private var parseFailed = false
    /// NIO's parser failed while answers were owed: the 400 follows the last of them.
    private var refusalHeld = false
    /// Where the connection limit learns whether this connection is idle.
    private let slot: ConnectionSlot?
    /// Told when Hummingbird's last outstanding answer has been written (the fast path holds a refusal until then).
    var onHummingbirdIdle: (() -> Void)?
    /// Told when this handler is about to close the connection (the fast path then reads no more requests).
    var onClosing: (() -> Void)?

    init(timeouts: Timeouts, accounting: RequestAccounting, slot: ConnectionSlot? = nil) {
        self.timeouts = timeouts
        self.accounting = accounting
        self.slot = slot
    }

    /// No request given to Hummingbird is waiting for its response.
    var isIdle: Bool { outstanding.isEmpty }

    /// The fast path answered a request below (it answers only while Hummingbird owes none).
    func fastPathAnswered() {
        let now = NIODeadline.now()
        lastActivity = now
        slot?.markIdle(now)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            let now = NIODeadline.now()
            lastActivity = now
            if oldestOutstanding == nil { oldestOutstanding = now }
            slot?.markBusy()
            let closes = !head.isKeepAlive || head.method == .CONNECT || head.headers.contains(name: "upgrade")
            outstanding.append(closes ? .close : (head.version == .http1_0 ? .keepAlive : .keep))
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            switch outstanding.first {
            case .close: head.headers.replaceOrAdd(name: "Connection", value: "close")
            case .keepAlive: head.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
            case .keep, nil: break
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where !outstanding.isEmpty:
            let persistence = outstanding.removeFirst()
            let now = NIODeadline.now()
            lastActivity = now
            // Pipelined requests behind this one are timed from now.
            oldestOutstanding = outstanding.isEmpty ? nil : now
            if outstanding.isEmpty { slot?.markIdle(now) }
            if persistence == .close {
                onClosing?()
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.cascade(to: promise)
                context.writeAndFlush(data, promise: written)
                context.closeLingering(after: written.futureResult)
                return
            }
            context.write(data, promise: promise)
            if outstanding.isEmpty {
                if refusalHeld {
                    refusalHeld = false
                    refuseMalformed(context)
                } else {
                    onHummingbirdIdle?()
                }
            }
        default:
            context.write(data, promise: promise)
        }
    }

    /// Where the fast path does not drain the connection itself (after a chunked body while Hummingbird owes an
    /// answer, or where it is not built), closing to make room is Hummingbird's graceful shutdown of this one
    /// connection.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ConnectionSlot.CloseToMakeRoom {
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // The parser reports one error and parses no more.
        guard !parseFailed else { return }
        parseFailed = true
        if outstanding.isEmpty {
            refuseMalformed(context)
        } else {
            // After the answers owed, whatever the timing: the same bytes as when they were already written.
            refusalHeld = true
        }
    }

    /// The 400 for what NIO's parser refused, then the connection closes.
    private func refuseMalformed(_ context: ChannelHandlerContext) {
        onClosing?()
        let answer = PlainAnswer.badRequest("malformed request")
        var headers = HTTPHeaders(answer.headers.map { ($0.name, $0.value) })
        headers.add(name: "Date", value: HTTPDateCache.now)
        headers.add(name: "Server", value: "hosts-server")
        headers.add(name: "Connection", value: "close")
        let status = HTTPResponseStatus(statusCode: answer.status, reasonPhrase: answer.reasonPhrase)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.text)))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        context.closeLingering(after: written.futureResult)
        accounting.answered(
            method: "-", path: "-", route: .other, status: answer.status, bodyBytes: answer.text.utf8.count,
            started: accounting.start, remote: context.channel.remoteAddress)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastActivity = .now()
        arm(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    private var deadline: NIODeadline {
        if let oldestOutstanding { return oldestOutstanding + timeouts.request }
        return lastActivity + timeouts.idle
    }

    private func arm(_ context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            guard context.channel.isActive else { return }
            if NIODeadline.now() >= self.deadline {
                context.close(promise: nil)
            } else {
                self.arm(context)
            }
        }
    }
}
