import Logging
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// First handler of the listening channel: admits each accepted connection through the
/// ``ConnectionLimit`` (closing the longest-idle connection, or the new one, at the maximum) and, when
/// accept fails for want of descriptors or memory, closes the longest-idle connection to free one and
/// lets NIO's `AcceptBackoffHandler` further down pause accepting for a second instead of spinning.
/// What it sheds is logged at most once per ``logInterval`` (with the counts since the previous line)
/// and counted in the metrics every time.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    static let logInterval = TimeAmount.seconds(10)

    private let limit: ConnectionLimit
    private let logger: Logger
    private var unreported = (closedIdle: 0, refused: 0)
    private var nextLine = NIODeadline.uptimeNanoseconds(0)

    init(limit: ConnectionLimit, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        switch limit.admit(child) {
        case .admitted(let slot, let closing):
            child.closeFuture.whenComplete { [limit] _ in limit.remove(slot) }
            if let closing {
                limit.closeToMakeRoom(closing)
                limit.metrics.countClosedIdle()
                unreported.closedIdle += 1
                report()
            }
            context.fireChannelRead(data)
        case .refused:
            // Not yet registered with an event loop: closing it is all it takes (as NIO's own accept
            // handler does when a child channel fails to initialize).
            child.close(promise: nil)
            limit.metrics.countRefused()
            unreported.refused += 1
            report()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, let name = Self.resourceErrors[error.errnoCode] {
            limit.metrics.countAcceptError(name)
            let freed = limit.takeLongestIdle()
            // A descriptor is wanted now, for the next accept: closed at once, not drained.
            freed?.channel.close(promise: nil)
            if freed != nil { limit.metrics.countClosedIdle() }
            logger.warning(
                "accept failed, pausing accepts for 1 s",
                metadata: [
                    "error": "\(name)", "open": "\(limit.count)", "max_connections": "\(limit.maximum)",
                    "closed_idle": "\(freed == nil ? 0 : 1)",
                ])
        }
        context.fireErrorCaught(error)
    }

    private static let resourceErrors: [CInt: String] = [
        EMFILE: "EMFILE", ENFILE: "ENFILE", ENOBUFS: "ENOBUFS", ENOMEM: "ENOMEM",
    ]

    private func report() {
        let now = NIODeadline.now()
        guard now >= nextLine else { return }
        nextLine = now + Self.logInterval
        logger.warning(
            "at the connection limit",
            metadata: [
                "max_connections": "\(limit.maximum)", "closed_idle": "\(unreported.closedIdle)",
                "refused": "\(unreported.refused)",
            ])
        unreported = (0, 0)
    }
}
