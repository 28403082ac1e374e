import NIOCore
import Synchronization

/// The open connections of one server and `--max-connections`. When a new connection would exceed the
/// maximum, the connection idle the longest is closed to make room (keep-alive clients reconnect when
/// they need to; a client dribbling its request head counts as idle); when none is idle, the new one is
/// closed instead. Shared by the server channel, which admits connections, and the connections, which
/// report whether they are idle.
///
/// A connection closed to make room closes gracefully (``ConnectionSlot/closeToMakeRoom(grace:)``), so for up to
/// its grace it still holds descriptors the count no longer has: at most ``maxClosing`` such connections may be
/// closing at once; beyond that a new connection is refused, so descriptors stay within the reserve.
final class ConnectionLimit: Sendable {
    let maximum: Int
    /// Connections closed to make room and not yet closed: 8, at 4 descriptors a connection half the smallest
    /// reserve ``DescriptorLimit`` keeps.
    let maxClosing: Int
    let metrics: ConnectionMetrics
    private struct State {
        var slots: [ObjectIdentifier: ConnectionSlot] = [:]
        var closing = 0
    }
    private let state = Mutex(State())

    init(maximum: Int, maxClosing: Int = 8, metrics: ConnectionMetrics) {
        precondition(maximum > 0 && maxClosing > 0)
        self.maximum = maximum
        self.maxClosing = maxClosing
        self.metrics = metrics
    }

    enum Admission {
        /// Counted; `closing` was the longest-idle connection, removed to make room for it.
        case admitted(ConnectionSlot, closing: ConnectionSlot?)
        /// At the maximum with every connection busy: the new connection is to be closed.
        case refused
    }

    /// Decides on a just-accepted connection. The caller closes what the answer says to close.
    /// A connection it names as `closing` counts against ``maxClosing`` until the caller reports it closed
    /// (``closedToMakeRoom()``).
    func admit(_ channel: any Channel) -> Admission {
        let (admission, open) = state.withLock { state -> (Admission, Int) in
            var closing: ConnectionSlot?
            if state.slots.count >= maximum {
                guard state.closing < maxClosing, let oldest = Self.longestIdle(in: state.slots) else {
                    return (.refused, state.slots.count)
                }
                state.slots[ObjectIdentifier(oldest.channel)] = nil
                state.closing += 1
                closing = oldest
            }
            let slot = ConnectionSlot(channel: channel)
            state.slots[ObjectIdentifier(channel)] = slot
            return (.admitted(slot, closing: closing), state.slots.count)
        }
        metrics.setOpen(open)
        return admission
    }

    /// A connection ``admit(_:)`` closed to make room has closed.
    func closedToMakeRoom() {
        state.withLock { $0.closing -= 1 }
    }

    /// Removes the longest-idle connection for the caller to close, to free a descriptor when accept
    /// failed for want of one; nil when none is idle.
    func takeLongestIdle() -> ConnectionSlot? {
        let (taken, open) = state.withLock { state -> (ConnectionSlot?, Int) in
            guard let oldest = Self.longestIdle(in: state.slots) else { return (nil, state.slots.count) }
            state.slots[ObjectIdentifier(oldest.channel)] = nil
            return (oldest, state.slots.count)
        }
        metrics.setOpen(open)
        return taken
    }

    /// The connection's slot, for its handlers to report idleness through; nil for a connection
    /// accepted before the limit was in place.
    func slot(for channel: any Channel) -> ConnectionSlot? {
        state.withLock { $0.slots[ObjectIdentifier(channel)] }
    }

    /// The connection closed.
    func remove(_ slot: ConnectionSlot) {
        let open = state.withLock { state in
            let key = ObjectIdentifier(slot.channel)
            if state.slots[key] === slot { state.slots[key] = nil }
            return state.slots.count
        }
        metrics.setOpen(open)
    }

    var count: Int { state.withLock { $0.slots.count } }

    /// A linear scan: it runs only at the limit, and 10 000 atomic loads cost microseconds.
    private static func longestIdle(in slots: [ObjectIdentifier: ConnectionSlot]) -> ConnectionSlot? {
        var best: ConnectionSlot?
        var bestSince = Int64.max
        for slot in slots.values {
            guard let since = slot.idleSinceNanoseconds, since < bestSince else { continue }
            best = slot
            bestSince = since
        }
        return best
    }
}
