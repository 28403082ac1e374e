import NIOCore
import NIOHTTPTypes

/// Closes a connection whose response has not been handed to the socket `timeout` after the request's
/// headers arrived — a client that stops reading cannot hold a connection forever. (Slow request headers
/// are bounded by the idle timeout, which only resets once a whole request head has been read.)
///
/// One timer per connection, armed by the first request and re-armed only while a request is
/// outstanding, so keep-alive traffic pays a clock read per request, not a timer.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private var outstanding = 0
    private var oldestStart: NIODeadline?
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            outstanding += 1
            if oldestStart == nil { oldestStart = .now() }
            if timer == nil { arm(context, at: oldestStart! + timeout) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), outstanding > 0 {
            outstanding -= 1
            // Pipelined requests behind this one are timed from now.
            oldestStart = outstanding == 0 ? nil : .now()
        }
        context.write(data, promise: promise)
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

    private func arm(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            guard let start = self.oldestStart else { return }
            if NIODeadline.now() >= start + self.timeout {
                context.close(promise: nil)
            } else {
                self.arm(context, at: start + self.timeout)
            }
        }
    }
}
