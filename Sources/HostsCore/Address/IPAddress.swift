/// An IPv4 or IPv6 address, parsed strictly and kept in canonical form.
///
/// IPv4 is accepted only as a dotted quad of decimal octets: `010.1.1.1` is rejected because
/// `inet_aton` reads it as octal, and `1.1` or `0x7f.1` because the C library expands them in ways a
/// reader of the file would not expect. IPv6 accepts every text form of RFC 4291 (full, `::`-compressed,
/// with a trailing dotted IPv4) plus an optional `%zone`, and is printed as RFC 5952 says.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case v4, v6 }

    enum Storage: Hashable, Sendable {
        case v4(UInt32)
        case v6(high: UInt64, low: UInt64, zone: String?)
    }

    let storage: Storage

    public var family: Family {
        switch storage {
        case .v4: .v4
        case .v6: .v6
        }
    }

    /// Parses `text` strictly.
    public init(parsing text: some StringProtocol) throws(AddressError) {
        let utf8 = Array(text.utf8)
        self = try utf8.withUnsafeBufferPointer { buffer throws(AddressError) in
            try IPAddress(bytes: buffer)
        }
    }

    /// Parses `text`, or returns nil when it is not a valid address.
    public init?(_ text: some StringProtocol) {
        guard let address = try? IPAddress(parsing: text) else { return nil }
        self = address
    }

    init(storage: Storage) {
        self.storage = storage
    }

    /// The raw 16 bytes of an IPv6 address or 4 bytes of an IPv4 address, network order.
    public var bytes: [UInt8] {
        switch storage {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low, _):
            return (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    public var description: String {
        switch storage {
        case .v4(let value):
            return Self.formatIPv4(value)
        case .v6(let high, let low, let zone):
            let text = Self.formatIPv6(high: high, low: low)
            guard let zone else { return text }
            return text + "%" + zone
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.v4(let a), .v4(let b)):
            return a < b
        case (.v4, .v6):
            return true
        case (.v6, .v4):
            return false
        case (.v6(let ah, let al, let az), .v6(let bh, let bl, let bz)):
            if ah != bh { return ah < bh }
            if al != bl { return al < bl }
            return (az ?? "") < (bz ?? "")
        }
    }
}

/// Why a piece of text is not an address.
public struct AddressError: Error, CustomStringConvertible, Sendable, Equatable {
    public var text: String
    public var reason: String

    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }

    public var description: String { "invalid address '\(VisibleText.excerpt(text))': \(reason)" }
}
