import NIOCore
import Synchronization

/// The open connections of one server and `--max-connections`. When a new connection would exceed the
/// maximum, the connection idle the longest is closed to make room (keep-alive clients reconnect when
/// they need to; a client dribbling its request head counts as idle); when none is idle, the new one is
/// closed instead. Shared by the server channel, which admits connections, and the connections, which
/// report whether they are idle.
final class ConnectionLimit: Sendable {
    let maximum: Int
    let metrics: ConnectionMetrics
    private let slots = Mutex<[ObjectIdentifier: ConnectionSlot]>([:])

    init(maximum: Int, metrics: ConnectionMetrics) {
        precondition(maximum > 0)
        self.maximum = maximum
        self.metrics = metrics
    }

    enum Admission {
        /// Counted; `closing` was the longest-idle connection, removed to make room for it.
        case admitted(ConnectionSlot, closing: ConnectionSlot?)
        /// At the maximum with every connection busy: the new connection is to be closed.
        case refused
    }

    /// Decides on a just-accepted connection. The caller closes what the answer says to close.
    func admit(_ channel: any Channel) -> Admission {
        let (admission, open) = slots.withLock { slots -> (Admission, Int) in
            var closing: ConnectionSlot?
            if slots.count >= maximum {
                guard let oldest = Self.longestIdle(in: slots) else { return (.refused, slots.count) }
                slots[ObjectIdentifier(oldest.channel)] = nil
                closing = oldest
            }
            let slot = ConnectionSlot(channel: channel)
            slots[ObjectIdentifier(channel)] = slot
            return (.admitted(slot, closing: closing), slots.count)
        }
        metrics.setOpen(open)
        return admission
    }

    /// Removes the longest-idle connection for the caller to close, to free a descriptor when accept
    /// failed for want of one; nil when none is idle.
    func takeLongestIdle() -> ConnectionSlot? {
        let (taken, open) = slots.withLock { slots -> (ConnectionSlot?, Int) in
            guard let oldest = Self.longestIdle(in: slots) else { return (nil, slots.count) }
            slots[ObjectIdentifier(oldest.channel)] = nil
            return (oldest, slots.count)
        }
        metrics.setOpen(open)
        return taken
    }

    /// The connection's slot, for its handlers to report idleness through; nil for a connection
    /// accepted before the limit was in place.
    func slot(for channel: any Channel) -> ConnectionSlot? {
        slots.withLock { $0[ObjectIdentifier(channel)] }
    }

    /// The connection closed.
    func remove(_ slot: ConnectionSlot) {
        let open = slots.withLock { slots in
            let key = ObjectIdentifier(slot.channel)
            if slots[key] === slot { slots[key] = nil }
            return slots.count
        }
        metrics.setOpen(open)
    }

    var count: Int { slots.withLock { $0.count } }

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
