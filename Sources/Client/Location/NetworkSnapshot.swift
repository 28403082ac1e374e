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
        var up: Bool
        var addresses: [IPAddress]
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
            var interface = byName[name] ?? Interface(name: name, up: false, addresses: [])
            interface.up = interface.up || (entry.pointee.ifa_flags & UInt32(IFF_UP)) != 0
            if let address = entry.pointee.ifa_addr.flatMap(Self.address(of:)) { interface.addresses.append(address) }
            byName[name] = interface
        }
        return NetworkSnapshot(
            interfaces: byName.values.map { Interface(name: $0.name, up: $0.up, addresses: $0.addresses.sorted()) }
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

    /// The first interface address inside `range`, with its interface.
    func address(in range: CIDR) -> (interface: String, address: IPAddress)? {
        for interface in interfaces {
            if let address = interface.addresses.first(where: range.contains) { return (interface.name, address) }
        }
        return nil
    }

    func interface(named name: String) -> Interface? { interfaces.first { $0.name == name } }
}
