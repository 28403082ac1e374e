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
///
/// An idle connection may still have answers queued (a slow reader, below the socket's high-water mark): closed,
/// it would lose them once the grace ends, though they were accepted. Only its own event loop can tell, and
/// asking it per answer costs more than the answer, so it is asked when chosen (``closeToMakeRoom(_:)``): one
/// found with answers queued is spared and another idle one is chosen in its place. A connection with answers
/// queued is closed only when no other idle one is left, and then its close waits for them to leave (up to the
/// grace).
final class ConnectionLimit: Sendable {
    let maximum: Int
    /// Connections closed to make room and not yet closed: 8, at 4 descriptors a connection half the smallest
    /// reserve ``DescriptorLimit`` keeps.
    let maxClosing: Int
    let metrics: ConnectionMetrics
    private struct State {
        var slots: [ObjectIdentifier: ConnectionSlot] = [:]
        /// Chosen to make room (closing, or about to be once its event loop has checked it) and not yet closed.
        var closing: [ObjectIdentifier: ConnectionSlot] = [:]

        /// The slot moves from the counted connections to those closing.
        mutating func startClosing(_ slot: ConnectionSlot) {
            let key = ObjectIdentifier(slot.channel)
            slots[key] = nil
            closing[key] = slot
        }
    }
    private let state = Mutex(State())

    init(maximum: Int, maxClosing: Int = 8, metrics: ConnectionMetrics) {
        precondition(maximum > 0 && maxClosing > 0)
        self.maximum = maximum
        self.maxClosing = maxClosing
        self.metrics = metrics
    }

    /// A connection chosen to make room.
    struct Victim {
        let slot: ConnectionSlot
        /// It is known to have answers queued and no other connection is idle: it closes even so.
        let lastResort: Bool
        /// The connection it makes room for: counted (and idle, having sent nothing yet) when a replacement is
        /// chosen, and not to be closed for its own sake.
        let newcomer: ObjectIdentifier?
    }

    enum Admission {
        /// Counted; `closing` is the connection chosen to make room for it, for ``closeToMakeRoom(_:)``.
        case admitted(ConnectionSlot, closing: Victim?)
        /// At the maximum with every connection busy: the new connection is to be closed.
        case refused
    }

    /// Decides on a just-accepted connection. The caller closes what the answer says to close
    /// (``closeToMakeRoom(_:)``). A connection it names as `closing` counts against ``maxClosing`` until it has
    /// closed (``remove(_:)``).
    func admit(_ channel: any Channel) -> Admission {
        let (admission, open) = state.withLock { state -> (Admission, Int) in
            var closing: Victim?
            if state.slots.count >= maximum {
                guard state.closing.count < maxClosing,
                    let victim = Self.victim(in: state.slots, for: ObjectIdentifier(channel))
                else {
                    return (.refused, state.slots.count)
                }
                state.startClosing(victim.slot)
                closing = victim
            }
            let slot = ConnectionSlot(channel: channel)
            state.slots[ObjectIdentifier(channel)] = slot
            return (.admitted(slot, closing: closing), state.slots.count)
        }
        metrics.setOpen(open)
        return admission
    }

    /// Closes a connection ``admit(_:)`` chose to make room, once its event loop has checked that it has no
    /// answers queued; if it has, it is spared (counted again) and another is chosen in its place, the same
    /// way. Each one spared is marked as such until its next answer, so the walk ends, at the latest at a
    /// connection closed as the last resort. Thread-safe.
    func closeToMakeRoom(_ victim: Victim) {
        victim.slot.channel.eventLoop.execute { [self] in
            guard !victim.lastResort, victim.slot.hasQueuedAnswers() else {
                victim.slot.closeToMakeRoom()
                return
            }
            closeToMakeRoom(spare(victim))
        }
    }

    /// Counts `slot` again, known to have answers queued, and chooses the connection to close instead: the spared
    /// one itself when no other is idle. On the slot's event loop, so while its channel is active its close
    /// (``remove(_:)``) is still to come.
    private func spare(_ spared: Victim) -> Victim {
        state.withLock { state in
            let slot = spared.slot
            let key = ObjectIdentifier(slot.channel)
            slot.markQueued()
            state.closing[key] = nil
            if slot.channel.isActive { state.slots[key] = slot }
            // No connection idle (this one too may have a request in flight by now): it was chosen, so it closes,
            // as it would have (a request in flight is answered first).
            let victim =
                Self.victim(in: state.slots, for: spared.newcomer)
                ?? Victim(slot: slot, lastResort: true, newcomer: spared.newcomer)
            state.startClosing(victim.slot)
            return victim
        }
    }

    /// Removes the longest-idle connection for the caller to close, to free a descriptor when accept
    /// failed for want of one; nil when none is idle. (A descriptor is wanted now: whether it has answers queued
    /// is not asked, only remembered from an earlier choice.)
    func takeLongestIdle() -> ConnectionSlot? {
        let (taken, open) = state.withLock { state -> (ConnectionSlot?, Int) in
            guard let victim = Self.victim(in: state.slots, for: nil) else { return (nil, state.slots.count) }
            state.slots[ObjectIdentifier(victim.slot.channel)] = nil
            return (victim.slot, state.slots.count)
        }
        metrics.setOpen(open)
        return taken
    }

    /// The connection's slot, for its handlers to report idleness through; nil for a connection
    /// accepted before the limit was in place.
    func slot(for channel: any Channel) -> ConnectionSlot? {
        state.withLock { $0.slots[ObjectIdentifier(channel)] }
    }

    /// The connection closed (whether or not to make room).
    func remove(_ slot: ConnectionSlot) {
        let open = state.withLock { state in
            let key = ObjectIdentifier(slot.channel)
            if state.slots[key] === slot { state.slots[key] = nil }
            if state.closing[key] === slot { state.closing[key] = nil }
            return state.slots.count
        }
        metrics.setOpen(open)
    }

    var count: Int { state.withLock { $0.slots.count } }

    /// The longest-idle connection not known to have answers queued, else (the last resort) the longest-idle of
    /// those known to; never `newcomer`. A linear scan: it runs only at the limit, and 10 000 atomic loads cost
    /// microseconds.
    private static func victim(in slots: [ObjectIdentifier: ConnectionSlot], for newcomer: ObjectIdentifier?)
        -> Victim?
    {
        var best: (slot: ConnectionSlot, since: Int64)?
        var bestQueued: (slot: ConnectionSlot, since: Int64)?
        for (key, slot) in slots where key != newcomer {
            guard let since = slot.idleSinceNanoseconds else { continue }
            if slot.wasQueued(whileIdleSince: since) {
                if since < bestQueued?.since ?? .max { bestQueued = (slot, since) }
            } else if since < best?.since ?? .max {
                best = (slot, since)
            }
        }
        if let best { return Victim(slot: best.slot, lastResort: false, newcomer: newcomer) }
        return bestQueued.map { Victim(slot: $0.slot, lastResort: true, newcomer: newcomer) }
    }
}
