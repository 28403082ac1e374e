import NIOCore

/// Sits at the head of the HTTP pipeline (below the HTTP/1 encoder) so the fast path can write
/// ready-made response bytes through its context, skipping header encoding.
final class RawOutletHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private(set) var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }
}
