import NIOCore
import NIOHTTP1

/// Idle and request timeouts for one connection, for requests answered by the fast path and by
/// Hummingbird alike (it sits below both):
/// - idle: no request outstanding and no complete request head for `idle` — this also bounds a client
///   that dribbles its headers, since only a whole head counts as activity;
/// - request: a response not handed to the socket `request` after its head arrived (a client that
///   stops reading cannot pin a connection).
///
/// One timer per connection, re-armed when it fires, so a request costs a clock read, not a timer.
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let idle: TimeAmount
    private let request: TimeAmount
    private var outstanding = 0
    private var lastActivity = NIODeadline.now()
    private var oldestStart: NIODeadline?
    private var timer: Scheduled<Void>?

    init(idle: TimeAmount, request: TimeAmount) {
        self.idle = idle
        self.request = request
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastActivity = .now()
        arm(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            let now = NIODeadline.now()
            lastActivity = now
            outstanding += 1
            if oldestStart == nil { oldestStart = now }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), outstanding > 0 {
            outstanding -= 1
            let now = NIODeadline.now()
            lastActivity = now
            // Pipelined requests behind this one are timed from now.
            oldestStart = outstanding == 0 ? nil : now
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    private var deadline: NIODeadline {
        if let oldestStart { return oldestStart + request }
        return lastActivity + idle
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
