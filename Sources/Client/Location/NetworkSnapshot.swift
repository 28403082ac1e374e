import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// This machine's interfaces as `getifaddrs` sees them right now: the input of `network=` and `interface=` rules,
/// and what `watch` compares to notice a move.
struct NetworkSnapshot: Sendable, Equatable {
    struct Interface: Sendable, Equatable {
        var name: String
        /// Administratively up (IFF_UP).
        var up: Bool
        /// Operationally up (IFF_RUNNING): a carrier, a peer, a VPN daemon holding the tun device. An interface
        /// set up with nothing behind it (NO-CARRIER) carries no traffic, so it is not where this machine is.
        var running: Bool
        var addresses: [IPAddress]

        /// Up and running: the only state in which its addresses say where this machine is.
        var usable: Bool { up && running }

        /// `tun0 is up`, `tun0 is down`, `tun0 is up but has no carrier`.
        var state: String { usable ? "\(name) is up" : up ? "\(name) is up but has no carrier" : "\(name) is down" }
    }

    /// Sorted by name, addresses sorted: two snapshots of the same state compare equal.
    var interfaces: [Interface]

    static func current() -> NetworkSnapshot {
        var byName: [String: Interface] = [:]
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return NetworkSnapshot(interfaces: []) }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            let name = String(cString: entry.pointee.ifa_name)
            var interface = byName[name] ?? Interface(name: name, up: false, running: false, addresses: [])
            interface.up = interface.up || (entry.pointee.ifa_flags & UInt32(IFF_UP)) != 0
            interface.running = interface.running || (entry.pointee.ifa_flags & UInt32(IFF_RUNNING)) != 0
            if let address = entry.pointee.ifa_addr.flatMap(Self.address(of:)) { interface.addresses.append(address) }
            byName[name] = interface
        }
        return NetworkSnapshot(
            interfaces: byName.values.map { interface in
                var sorted = interface
                sorted.addresses.sort()
                return sorted
            }
            .sorted { $0.name < $1.name })
    }

    private static func address(of socketAddress: UnsafeMutablePointer<sockaddr>) -> IPAddress? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            var value = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &value, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        case AF_INET6:
            var value = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            guard inet_ntop(AF_INET6, &value, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        default:
            return nil
        }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return IPAddress(text)
    }

    /// The first address inside `range` on an interface that is up and running (``Interface/usable``), with its
    /// interface; with `usable: false`, the first on one that is not (to say why a rule does not hold).
    func address(in range: CIDR, usable: Bool = true) -> (interface: Interface, address: IPAddress)? {
        for interface in interfaces where interface.usable == usable {
            if let address = interface.addresses.first(where: range.contains) { return (interface, address) }
        }
        return nil
    }

    func interface(named name: String) -> Interface? { interfaces.first { $0.name == name } }
}
