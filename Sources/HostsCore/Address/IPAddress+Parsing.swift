extension IPAddress {
    /// Parses raw UTF-8 bytes; the hot path of the strict parser, so no String is made on success.
    init(bytes: UnsafeBufferPointer<UInt8>) throws(AddressError) {
        func fail(_ reason: String) -> AddressError {
            AddressError(text: String(decoding: bytes, as: UTF8.self), reason: reason)
        }
        guard !bytes.isEmpty else { throw fail("empty") }
        if bytes.contains(UInt8(ascii: ":")) {
            self.init(storage: try Self.parseIPv6(bytes, fail: fail))
        } else {
            guard let value = Self.parseIPv4(bytes[...], fail: fail) else {
                throw Self.ipv4Error(bytes[...], fail: fail)
            }
            self.init(storage: .v4(value))
        }
    }

    /// Returns the value of a strict dotted quad, or nil.
    static func parseIPv4(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, fail: (String) -> AddressError) -> UInt32? {
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var parts = 0
        var leadingZero = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digits == 0 {
                    leadingZero = byte == UInt8(ascii: "0")
                } else if leadingZero {
                    return nil
                }
                digits += 1
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                if digits > 3 || octet > 255 { return nil }
            case UInt8(ascii: "."):
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | octet
                parts += 1
                octet = 0
                digits = 0
            default:
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | octet
    }

    /// Explains why `bytes` is not a dotted quad; only called on the error path.
    static func ipv4Error(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, fail: (String) -> AddressError) -> AddressError {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if text.contains(where: { !$0.isASCII || (!$0.isNumber && $0 != ".") }) {
            return fail("an IPv4 address has only digits and dots")
        }
        guard parts.count == 4 else {
            return fail("an IPv4 address has exactly four parts, not \(parts.count)")
        }
        for part in parts {
            if part.isEmpty { return fail("empty octet") }
            if part.count > 1 && part.first == "0" {
                return fail("octet '\(VisibleText.excerpt(part))' has a leading zero (read as octal by some resolvers)")
            }
            if (Int(part) ?? 256) > 255 { return fail("octet '\(VisibleText.excerpt(part))' is over 255") }
        }
        return fail("not a dotted quad")
    }

    static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>, fail: (String) -> AddressError) throws(AddressError)
        -> Storage
    {
        var end = bytes.count
        var zone: String?
        if let percent = bytes.firstIndex(of: UInt8(ascii: "%")) {
            let zoneBytes = bytes[(percent + 1)...]
            guard !zoneBytes.isEmpty else { throw fail("empty zone after '%'") }
            // A zone is an interface name (at most IFNAMSIZ - 1 = 15 bytes on Linux) or its index.
            guard zoneBytes.count <= Self.maxZoneBytes else {
                throw fail("zone longer than \(Self.maxZoneBytes) bytes (an interface name or index)")
            }
            guard zoneBytes.allSatisfy({ Self.isZoneByte($0) }) else {
                throw fail("zone may hold only letters, digits, '.', '-' and '_'")
            }
            zone = String(decoding: zoneBytes, as: UTF8.self)
            end = percent
        }
        let text = bytes[0..<end]
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var compressAt: Int?
        var index = text.startIndex
        if text.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            compressAt = 0
            index += 2
            if index == text.endIndex { return .v6(high: 0, low: 0, zone: zone) }
        } else if text.first == UInt8(ascii: ":") {
            throw fail("a single ':' cannot start an address")
        }
        while index < text.endIndex {
            // One group, or a trailing dotted IPv4.
            var groupEnd = index
            while groupEnd < text.endIndex, text[groupEnd] != UInt8(ascii: ":") { groupEnd += 1 }
            let group = text[index..<groupEnd]
            if group.contains(UInt8(ascii: ".")) {
                guard groupEnd == text.endIndex else { throw fail("an embedded IPv4 address must come last") }
                guard let v4 = parseIPv4(group, fail: fail) else {
                    throw fail("invalid embedded IPv4 '\(VisibleText.excerpt(String(decoding: group, as: UTF8.self)))'")
                }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xffff))
                index = groupEnd
                break
            }
            guard !group.isEmpty else { throw fail("empty group") }
            guard group.count <= 4 else {
                throw fail(
                    "group '\(VisibleText.excerpt(String(decoding: group, as: UTF8.self)))' has over 4 hex digits")
            }
            var value: UInt16 = 0
            for byte in group {
                guard let digit = Self.hexValue(byte) else {
                    throw fail("'\(VisibleText.excerpt(String(decoding: group, as: UTF8.self)))' is not a hex group")
                }
                value = value << 4 | UInt16(digit)
            }
            groups.append(value)
            index = groupEnd
            if index == text.endIndex { break }
            // At a ':'; a second one marks the compressed run.
            index += 1
            if index < text.endIndex, text[index] == UInt8(ascii: ":") {
                guard compressAt == nil else { throw fail("'::' may appear only once") }
                compressAt = groups.count
                index += 1
            } else if index == text.endIndex {
                throw fail("a single ':' cannot end an address")
            }
        }
        if let compressAt {
            guard groups.count <= 7 else { throw fail("'::' must stand for at least one group") }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: compressAt)
        } else if groups.count != 8 {
            throw fail("an IPv6 address has 8 groups, not \(groups.count)")
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<4 { high = high << 16 | UInt64(groups[i]) }
        for i in 4..<8 { low = low << 16 | UInt64(groups[i]) }
        return .v6(high: high, low: low, zone: zone)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The longest zone accepted after `%`: Linux interface names are at most IFNAMSIZ - 1 bytes.
    public static let maxZoneBytes = 15

    static func isZoneByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
