import NIOCore
import NIOHTTP1

/// Enforces the connection's timeouts, for requests answered by the fast path and by Hummingbird alike:
/// - idle: no request outstanding and no complete request head for `idle` — this also bounds a client
///   that dribbles its headers, since only a whole head counts as activity;
/// - request: a request given to Hummingbird whose response is not written `request` after its head
///   arrived.
/// One timer per connection, re-armed when it fires, so a request costs a clock read, not a timer.
/// It sits above NIO's HTTP decoder, where it sees Hummingbird's requests and responses; the fast path
/// reports its own requests through ``requestAnswered()``.
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Timeouts {
        var idle: TimeAmount
        var request: TimeAmount
    }

    private let timeouts: Timeouts
    /// Requests passed on whose response has not been written yet.
    private var outstanding = 0
    private var lastActivity = NIODeadline.now()
    private var oldestOutstanding: NIODeadline?
    private var timer: Scheduled<Void>?
    /// Where the connection limit learns whether this connection is idle.
    private let slot: ConnectionSlot?

    init(timeouts: Timeouts, slot: ConnectionSlot? = nil) {
        self.timeouts = timeouts
        self.slot = slot
    }

    /// Answers of the fast path's not yet handed to the socket.
    private var fastPathUnsent = 0

    /// No request given to Hummingbird is waiting for its response.
    var isIdle: Bool { outstanding == 0 }

    /// The fast path answered a request below; the connection is busy until the answer is sent.
    func fastPathAnswerQueued() {
        lastActivity = .now()
        fastPathUnsent += 1
        slot?.markBusy()
    }

    /// A fast-path answer reached the socket (or the connection closed).
    func fastPathAnswerSent() {
        fastPathUnsent -= 1
        if fastPathUnsent == 0, outstanding == 0 { slot?.markIdle() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            let now = NIODeadline.now()
            lastActivity = now
            outstanding += 1
            if oldestOutstanding == nil { oldestOutstanding = now }
            slot?.markBusy()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), outstanding > 0 {
            outstanding -= 1
            let now = NIODeadline.now()
            lastActivity = now
            // Pipelined requests behind this one are timed from now.
            oldestOutstanding = outstanding == 0 ? nil : now
            if outstanding == 0, fastPathUnsent == 0 { slot?.markIdle(now) }
        }
        context.write(data, promise: promise)
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
