/// RFC 9110 §7.2: `Host = uri-host [ ":" port ]`, with uri-host an IP literal in brackets, an IPv4
/// address or a registered name (RFC 3986 §3.2.2). An empty value is valid (a target without authority).
enum HostField {
    /// Over the value's bytes as the request head holds them: this runs for every request's Host.
    static func isValid(bytes value: UnsafeBufferPointer<UInt8>) -> Bool {
        var bytes = value[...]
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = bytes[bytes.index(after: bytes.startIndex)..<close]
            // IPv6 (hex digits, colons, dots of an embedded IPv4) or IPvFuture (`v` hex `.` ...).
            guard !literal.isEmpty, literal.allSatisfy({ isUnreserved($0) || isSubDelimiter($0) || $0 == 58 }),
                literal.contains(58) || literal.first == UInt8(ascii: "v") || literal.first == UInt8(ascii: "V")
            else { return false }
            bytes = bytes[bytes.index(after: close)...]
        } else {
            var index = bytes.startIndex
            while index < bytes.endIndex, bytes[index] != 58 {
                let byte = bytes[index]
                if byte == UInt8(ascii: "%") {
                    let first = bytes.index(after: index)
                    guard first < bytes.endIndex, bytes.index(after: first) < bytes.endIndex,
                        isHexDigit(bytes[first]), isHexDigit(bytes[bytes.index(after: first)])
                    else { return false }
                    index = bytes.index(index, offsetBy: 3)
                    continue
                }
                guard isUnreserved(byte) || isSubDelimiter(byte) else { return false }
                index = bytes.index(after: index)
            }
            bytes = bytes[index...]
        }
        guard let colon = bytes.first else { return true }
        guard colon == 58 else { return false }
        return bytes.dropFirst().allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func isSubDelimiter(_ byte: UInt8) -> Bool {
        "!$&'()*+,;=".utf8.contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default: false
        }
    }
}
