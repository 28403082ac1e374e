import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tells `watch` that this machine moved: interfaces or addresses changed and then held still for `settle`.
///
/// Linux: an rtnetlink socket subscribed to link and address events wakes the watcher at once; everywhere, and as
/// the fallback when that socket cannot be opened, `getifaddrs` is polled every `poll`. A change is reported only
/// once the snapshot has been stable for `settle` and differs from the last one reported, so a flap shorter than
/// the settle time reports nothing. Runs on a thread of its own (blocking `poll`, never on the cooperative pool)
/// that ends, bounded by one poll interval, when the stream is dropped.
enum NetworkChanges {
    static func moves(settle: Duration, poll: Duration = .seconds(2)) -> AsyncStream<NetworkSnapshot> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: NetworkSnapshot.self, bufferingPolicy: .bufferingNewest(1))
        let stopped = NIOLockedValueBox(false)
        continuation.onTermination = { _ in stopped.withLockedValue { $0 = true } }
        let thread = Thread {
            let socket = openRouteSocket()
            defer { if socket >= 0 { close(socket) } }
            var reported = NetworkSnapshot.current()
            var seen = reported
            var changedAt: ContinuousClock.Instant?
            let clock = ContinuousClock()
            while !stopped.withLockedValue({ $0 }) {
                // Wake on an event, at the end of a pending settle, or at the next poll, whichever comes first.
                var wait = poll
                if let changedAt { wait = min(wait, max(.zero, changedAt + settle - clock.now)) }
                if waitForEvent(socket, wait) { changedAt = clock.now }
                let now = NetworkSnapshot.current()
                if now != seen {
                    seen = now
                    changedAt = clock.now
                }
                if let since = changedAt, clock.now - since >= settle {
                    changedAt = nil
                    if seen != reported {
                        reported = seen
                        continuation.yield(seen)
                    }
                }
            }
        }
        thread.start()
        return stream
    }

    /// Waits up to `timeout` for a route event; drains what arrived. Without a socket it just sleeps.
    private static func waitForEvent(_ socket: Int32, _ timeout: Duration) -> Bool {
        let milliseconds = Int32(
            clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard socket >= 0 else {
            usleep(UInt32(max(1, milliseconds)) * 1000)
            return false
        }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, max(0, milliseconds)) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        // Bounded drain: the content does not matter, only that something changed.
        for _ in 0..<64 {
            if recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT)) <= 0 { break }
        }
        return true
    }

    /// The rtnetlink socket (link and IPv4/IPv6 address groups), or -1 where there is none.
    private static func openRouteSocket() -> Int32 {
        #if os(Linux)
            // sockaddr_nl is not in Swift's Glibc module; this is its layout (family, pad, pid, groups).
            struct NetlinkAddress {
                var family = UInt16(AF_NETLINK)
                var pad: UInt16 = 0
                var pid: UInt32 = 0
                var groups: UInt32
            }
            let linkGroup: UInt32 = 0x1
            let ipv4AddressGroup: UInt32 = 0x10
            let ipv6AddressGroup: UInt32 = 0x100
            let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return -1 }
            var address = NetlinkAddress(groups: linkGroup | ipv4AddressGroup | ipv6AddressGroup)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<NetlinkAddress>.size))
                }
            }
            if bound != 0 {
                close(fd)
                return -1
            }
            return fd
        #else
            return -1
        #endif
    }
}
