import NIOCore
import Synchronization

/// One open connection as the connection limit sees it: whether a request is in flight, and since when
/// it has been idle otherwise. Written on the connection's event loop, read by the server channel's
/// when choosing a connection to close, hence atomic.
final class ConnectionSlot: Sendable {
    let channel: any Channel
    /// Uptime nanoseconds of the connection's last complete request or response while idle; ``busy``
    /// while a request is waiting for its response.
    private let idleSince: Atomic<Int64>
    private static let busy: Int64 = -1
    /// The ``idleSince`` at which the connection, chosen to make room, still had answers queued (``markQueued()``);
    /// ``never`` otherwise. Keyed by it because only the connection's own event loop can tell whether answers
    /// are queued, and asking it per answer costs more than the answer: a later answer (``markIdle(_:)``) makes
    /// the mark stale, and the connection is asked again when chosen again.
    private let queuedWhileIdleSince: Atomic<Int64>
    private static let never = Int64.min

    init(channel: any Channel, now: NIODeadline = .now()) {
        self.channel = channel
        self.idleSince = Atomic(Self.nanoseconds(now))
        self.queuedWhileIdleSince = Atomic(Self.never)
    }

    /// A request head arrived that is not answered yet.
    func markBusy() {
        idleSince.store(Self.busy, ordering: .relaxed)
    }

    /// Nothing is outstanding since `now`.
    func markIdle(_ now: NIODeadline = .now()) {
        idleSince.store(Self.nanoseconds(now), ordering: .relaxed)
    }

    /// When it became idle, or nil while a request is in flight or its answer is still queued beyond the
    /// socket's high-water mark (a slow reader still receiving a body is not idle).
    var idleSinceNanoseconds: Int64? {
        let value = idleSince.load(ordering: .relaxed)
        guard value != Self.busy, channel.isWritable else { return nil }
        return value
    }

    /// Whether the connection, idle since `idleSince` (``idleSinceNanoseconds``), was found with answers queued
    /// then: it is closed to make room only when no other idle connection is left.
    func wasQueued(whileIdleSince idleSince: Int64) -> Bool {
        queuedWhileIdleSince.load(ordering: .relaxed) == idleSince
    }

    /// Whether answers written are still queued in the channel below the socket's high-water mark (a client
    /// that reads slowly, or not at all). On the connection's event loop only.
    func hasQueuedAnswers() -> Bool {
        channel.eventLoop.preconditionInEventLoop()
        return ((try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0) > 0
    }

    /// ``hasQueuedAnswers()`` said so, while idle as it is now.
    func markQueued() {
        queuedWhileIdleSince.store(idleSince.load(ordering: .relaxed), ordering: .relaxed)
    }

    /// Asks the connection, chosen to make room, to close the way a graceful shutdown closes it: what it has
    /// read is answered and what it has written reaches the client before the close (its answers may still be
    /// queued below the socket's high-water mark; a hard close would drop them). A client that does not read
    /// them within `grace` is cut off then: until it has closed it holds descriptors that the limit counts only
    /// among the few closing (``ConnectionLimit/maxClosing``), so it must not hold them long. Thread-safe.
    func closeToMakeRoom(grace: TimeAmount = ConnectionSlot.closeGrace) {
        channel.pipeline.fireUserInboundEventTriggered(CloseToMakeRoom())
        channel.eventLoop.scheduleTask(in: grace) { [channel] in channel.close(promise: nil) }
    }

    /// Ample for answers already written to reach a client that reads; short against one that does not.
    static let closeGrace = TimeAmount.seconds(1)

    /// The event ``closeToMakeRoom()`` sends down the connection's pipeline.
    struct CloseToMakeRoom: Sendable {}

    private static func nanoseconds(_ deadline: NIODeadline) -> Int64 {
        Int64(truncatingIfNeeded: deadline.uptimeNanoseconds)
    }
}
