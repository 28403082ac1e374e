import HostsCore
import NIOCore

/// Which address a request comes from, for views: the TCP peer's, unless the peer is one of the
/// `--trusted-proxy` ranges; then the one the proxies recorded in `Forwarded: for=` (RFC 7239) or, without
/// that header, `X-Forwarded-For`. Both lists are read from the right: each trusted proxy appends the address it
/// saw, so the right-most entry that is not itself a trusted proxy is the first one no proxy of ours vouches
/// against; everything left of it was written by the client and may be forged. From an untrusted peer the headers
/// are ignored, whatever they say.
struct TrustedProxies: Sendable {
    let ranges: [CIDR]

    init(_ ranges: [CIDR] = []) {
        self.ranges = ranges
    }

    func isTrusted(_ address: IPAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// The client's address, or nil when it is unknown (no peer address, or a proxy recorded an obfuscated or
    /// unparsable one): views then serve their catch-all.
    func clientAddress(peer: SocketAddress?, headers: some HeaderLookup) -> IPAddress? {
        guard let text = peer?.ipAddress, let address = IPAddress(text)?.unmappingIPv4 else { return nil }
        guard !ranges.isEmpty, isTrusted(address) else { return address }
        let forwarded = headers.values(.forwarded)
        let hops =
            forwarded.isEmpty
            ? headers.values(.xForwardedFor).flatMap { $0.split(separator: ",") }
            : forwarded.flatMap { $0.split(separator: ",") }.map { Self.forValue(of: $0) ?? "" }
        var nearest = address
        for hop in hops.reversed() {
            guard let hopAddress = Self.address(in: hop) else { return nil }
            if !isTrusted(hopAddress) { return hopAddress }
            nearest = hopAddress
        }
        // Every hop is a proxy of ours: the request started at the left-most of them.
        return nearest
    }

    /// The `for=` parameter of one `Forwarded` element (`for=192.0.2.60;proto=https`), unquoted.
    static func forValue(of element: Substring) -> Substring? {
        for pair in element.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingSpaces.lowercased() == "for" else { continue }
            var value = parts[1].trimmingSpaces
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            return value
        }
        return nil
    }

    /// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
    static func address(in text: Substring) -> IPAddress? {
        let trimmed = text.trimmingSpaces
        if trimmed.first == "[" {
            guard let close = trimmed.firstIndex(of: "]") else { return nil }
            return IPAddress(trimmed[trimmed.index(after: trimmed.startIndex)..<close])?.unmappingIPv4
        }
        if let address = IPAddress(trimmed) { return address.unmappingIPv4 }
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, UInt16(parts[1]) != nil else { return nil }
        return IPAddress(parts[0])
    }
}

extension IPAddress {
    /// `::ffff:192.0.2.1` as `192.0.2.1`: a dual-stack socket shows IPv4 peers that way, and views list IPv4
    /// ranges as IPv4.
    var unmappingIPv4: IPAddress {
        let bytes = self.bytes
        guard family == .v6, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else {
            return self
        }
        return IPAddress("\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])") ?? self
    }
}
