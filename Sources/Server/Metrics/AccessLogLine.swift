import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Formats access-log lines straight into the log's buffer: no intermediate strings, since a line is
/// written for every request.
///
/// The request path is the client's bytes: in both formats every byte outside printable ASCII, and the
/// quote and backslash, is escaped (`\xHH` in text, `\u00HH` in JSON), so a request cannot forge a line
/// or break the JSON.
enum AccessLogLine {
    static func append(
        to buffer: inout [UInt8], format: AccessLogFormat, time: [UInt8], remote: SocketAddress?, method: String,
        path: Substring, status: Int, bytes: Int, micros: Int64
    ) {
        switch format {
        case .text:
            buffer.append(contentsOf: "time=".utf8)
            buffer.append(contentsOf: time)
            buffer.append(contentsOf: " remote=".utf8)
            appendAddress(remote, to: &buffer)
            buffer.append(contentsOf: " method=".utf8)
            appendEscaped(method.utf8, json: false, to: &buffer)
            buffer.append(contentsOf: " path=".utf8)
            appendEscaped(path.utf8, json: false, to: &buffer)
            buffer.append(contentsOf: " status=".utf8)
            appendDecimal(Int64(status), to: &buffer)
            buffer.append(contentsOf: " bytes=".utf8)
            appendDecimal(Int64(bytes), to: &buffer)
            buffer.append(contentsOf: " duration_us=".utf8)
            appendDecimal(micros, to: &buffer)
        case .json:
            buffer.append(contentsOf: #"{"time":""#.utf8)
            buffer.append(contentsOf: time)
            buffer.append(contentsOf: #"","remote":""#.utf8)
            appendAddress(remote, to: &buffer)
            buffer.append(contentsOf: #"","method":""#.utf8)
            appendEscaped(method.utf8, json: true, to: &buffer)
            buffer.append(contentsOf: #"","path":""#.utf8)
            appendEscaped(path.utf8, json: true, to: &buffer)
            buffer.append(contentsOf: #"","status":"#.utf8)
            appendDecimal(Int64(status), to: &buffer)
            buffer.append(contentsOf: #","bytes":"#.utf8)
            appendDecimal(Int64(bytes), to: &buffer)
            buffer.append(contentsOf: #","duration_us":"#.utf8)
            appendDecimal(micros, to: &buffer)
            buffer.append(UInt8(ascii: "}"))
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    static func appendEscaped(_ bytes: some Sequence<UInt8>, json: Bool, to buffer: inout [UInt8]) {
        // Over the bytes in place when they are contiguous (a String's are): iterating a UTF8View costs a call
        // a byte, and this runs for every request's path.
        let done: Void? = bytes.withContiguousStorageIfAvailable { contiguous in
            appendEscapedBytes(contiguous, json: json, to: &buffer)
        }
        if done == nil { appendEscapedBytes(bytes, json: json, to: &buffer) }
    }

    private static func appendEscapedBytes(_ bytes: some Sequence<UInt8>, json: Bool, to buffer: inout [UInt8]) {
        for byte in bytes {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                buffer.append(byte)
            } else if json, byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(byte)
            } else {
                buffer.append(contentsOf: json ? #"\u00"#.utf8 : #"\x"#.utf8)
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 0x0F)])
            }
        }
    }

    static func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 {
            buffer.append(UInt8(ascii: "-"))
            appendDecimal(UInt64(value.magnitude), to: &buffer)
        } else {
            appendDecimal(UInt64(value), to: &buffer)
        }
    }

    private static func appendDecimal(_ value: UInt64, to buffer: inout [UInt8]) {
        var digits: (UInt64, Int) = (1, 1)
        while digits.0 <= value / 10 { digits = (digits.0 * 10, digits.1 + 1) }
        var divisor = digits.0
        var rest = value
        while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `10.0.0.5:51234`, `[2001:db8::5]:51234`, or `-` when the peer is unknown (or not an IP socket).
    static func appendAddress(_ address: SocketAddress?, to buffer: inout [UInt8]) {
        switch address {
        case .v4(let v4):
            let raw = v4.address
            withUnsafeBytes(of: raw.sin_addr) { octets in
                for (index, octet) in octets.prefix(4).enumerated() {
                    if index > 0 { buffer.append(UInt8(ascii: ".")) }
                    appendDecimal(Int64(octet), to: &buffer)
                }
            }
            buffer.append(UInt8(ascii: ":"))
            appendDecimal(Int64(UInt16(bigEndian: raw.sin_port)), to: &buffer)
        case .v6(let v6):
            var raw = v6.address
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &raw.sin6_addr, &text, socklen_t(text.count)) != nil else {
                buffer.append(UInt8(ascii: "-"))
                return
            }
            buffer.append(UInt8(ascii: "["))
            for character in text.prefix(while: { $0 != 0 }) { buffer.append(UInt8(bitPattern: character)) }
            buffer.append(contentsOf: "]:".utf8)
            appendDecimal(Int64(UInt16(bigEndian: raw.sin6_port)), to: &buffer)
        case .unixDomainSocket, nil:
            buffer.append(UInt8(ascii: "-"))
        }
    }
}
