import NIOCore

extension ChannelHandlerContext {
    /// Closes the connection in stages (RFC 9112 §9.6), as nginx's `lingering_close` does: once `written` is
    /// done, output first — the answers already written reach the client ahead of the FIN — and input only
    /// `linger` later. Closing both at once while the client is still sending (the rest of a pipeline after a
    /// refused request) makes the kernel answer with a reset, which can destroy the answer in the client's
    /// receive buffer. What arrives meanwhile is read and dropped by the handlers; the client's own close (or
    /// `linger`) ends it.
    func closeLingering(after written: EventLoopFuture<Void>, linger: TimeAmount = .seconds(2)) {
        written.assumeIsolated().whenComplete { _ in
            let halfClosed = self.eventLoop.makePromise(of: Void.self)
            self.close(mode: .output, promise: halfClosed)
            // Where output cannot be closed alone (TLS), close it all.
            halfClosed.futureResult.assumeIsolated().whenFailure { _ in self.close(promise: nil) }
            self.eventLoop.assumeIsolated().scheduleTask(in: linger) { self.close(promise: nil) }
        }
    }
}
