/// An address range such as `10.0.0.0/8` or `2001:db8::/32`.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    public let network: IPAddress
    public let prefixLength: Int

    /// Parses `ADDRESS/LENGTH`; a bare address means that one address.
    public init(parsing text: some StringProtocol) throws(AddressError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address = try IPAddress(parsing: parts[0])
        let maxLength = address.family == .v4 ? 32 : 128
        var length = maxLength
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...maxLength).contains(value), parts[1].allSatisfy(\.isASCII) else {
                throw AddressError(text: String(text), reason: "prefix length must be 0…\(maxLength)")
            }
            length = value
        }
        network = address
        prefixLength = length
    }

    /// True when `address` is of the same family and shares the first `prefixLength` bits.
    public func contains(_ address: IPAddress) -> Bool {
        guard address.family == network.family else { return false }
        let a = address.bytes
        let b = network.bytes
        var remaining = prefixLength
        for i in 0..<a.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if a[i] & mask != b[i] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(network)/\(prefixLength)" }
}
