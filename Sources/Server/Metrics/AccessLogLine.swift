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
        append(
            to: &buffer, format: format, time: time, remoteText: text(of: remote), method: method, path: path,
            status: status, bytes: bytes, micros: micros)
    }

    /// The same with the peer already formatted (``text(of:)``): a connection's requests format it once.
    /// The line is put together in a buffer on the stack and appended in one copy.
    static func append(
        to buffer: inout [UInt8], format: AccessLogFormat, time: [UInt8], remoteText: [UInt8], method: String,
        path: Substring, status: Int, bytes: Int, micros: Int64
    ) {
        var method = method
        var path = path
        // An escaped byte takes 6 at most; the fixed parts and numbers well under 256.
        let capacity = 256 + time.count + remoteText.count + 6 * (method.utf8.count + path.utf8.count)
        method.withUTF8 { method in
            path.withUTF8 { path in
                time.withUnsafeBufferPointer { time in
                    remoteText.withUnsafeBufferPointer { remote in
                        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { storage in
                            var line = LineWriter(base: storage.baseAddress!)
                            let json = format == .json
                            line.literal(json ? #"{"time":""# : "time=")
                            line.bytes(time)
                            line.literal(json ? #"","remote":""# : " remote=")
                            line.bytes(remote)
                            line.literal(json ? #"","method":""# : " method=")
                            line.escaped(method, json: json)
                            line.literal(json ? #"","path":""# : " path=")
                            line.escaped(path, json: json)
                            line.literal(json ? #"","status":"# : " status=")
                            line.decimal(Int64(status))
                            line.literal(json ? #","bytes":"# : " bytes=")
                            line.decimal(Int64(bytes))
                            line.literal(json ? #","duration_us":"# : " duration_us=")
                            line.decimal(micros)
                            if json { line.byte(UInt8(ascii: "}")) }
                            line.byte(UInt8(ascii: "\n"))
                            buffer.append(
                                contentsOf: UnsafeBufferPointer(start: storage.baseAddress, count: line.count))
                        }
                    }
                }
            }
        }
    }

    /// The peer as the log shows it (``appendAddress(_:to:)``).
    static func text(of remote: SocketAddress?) -> [UInt8] {
        var text: [UInt8] = []
        appendAddress(remote, to: &text)
        return text
    }

    static func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { storage in
            var digits = LineWriter(base: storage.baseAddress!)
            digits.decimal(value)
            buffer.append(contentsOf: UnsafeBufferPointer(start: storage.baseAddress, count: digits.count))
        }
    }

    /// Writes a line into memory the caller sized for it.
    private struct LineWriter {
        let base: UnsafeMutablePointer<UInt8>
        var count = 0

        mutating func byte(_ byte: UInt8) {
            base[count] = byte
            count += 1
        }

        mutating func bytes(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let source = bytes.baseAddress else { return }
            (base + count).update(from: source, count: bytes.count)
            count += bytes.count
        }

        mutating func literal(_ literal: StaticString) {
            bytes(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }

        /// Runs of bytes that need no escaping are copied whole; they are found eight bytes at a time.
        mutating func escaped(_ text: UnsafeBufferPointer<UInt8>, json: Bool) {
            // A poll's method and path need none: one check of the whole, one copy.
            if AccessLogLine.needsNoEscape(text) {
                bytes(text)
                return
            }
            var run = 0
            var index = 0
            while index < text.count {
                if index + 8 <= text.count,
                    AccessLogLine.needsNoEscape(
                        UnsafeRawPointer(text.baseAddress! + index).loadUnaligned(as: UInt64.self))
                {
                    index += 8
                    continue
                }
                let byte = text[index]
                index += 1
                if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { continue }
                if run < index - 1 { bytes(UnsafeBufferPointer(rebasing: text[run..<(index - 1)])) }
                run = index
                if json, byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    self.byte(UInt8(ascii: "\\"))
                    self.byte(byte)
                } else {
                    literal(json ? #"\u00"# : #"\x"#)
                    self.byte(AccessLogLine.hex[Int(byte >> 4)])
                    self.byte(AccessLogLine.hex[Int(byte & 0x0F)])
                }
            }
            if run < text.count { bytes(UnsafeBufferPointer(rebasing: text[run...])) }
        }

        /// Digits counted, then written backwards in place.
        mutating func decimal(_ value: Int64) {
            if value < 0 { byte(UInt8(ascii: "-")) }
            var rest = value.magnitude
            var digits = 1
            var probe = rest
            while probe >= 10 {
                probe /= 10
                digits += 1
            }
            var index = count + digits
            repeat {
                index -= 1
                base[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            count += digits
        }
    }

    fileprivate static let hex = Array("0123456789abcdef".utf8)

    /// Whether no byte of `text` needs escaping, eight at a time (the last word filled up with a letter).
    fileprivate static func needsNoEscape(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = text.baseAddress else { return true }
        var index = 0
        while index + 8 <= text.count {
            if !needsNoEscape(UnsafeRawPointer(start + index).loadUnaligned(as: UInt64.self)) { return false }
            index += 8
        }
        guard index < text.count else { return true }
        var last: UInt64 = 0x6161_6161_6161_6161
        withUnsafeMutableBytes(of: &last) { word in
            word.baseAddress!.copyMemory(from: start + index, byteCount: text.count - index)
        }
        return needsNoEscape(last)
    }

    /// Whether none of the eight bytes needs escaping: each above space and below DEL, none a quote or
    /// backslash. (A byte is zero in `x` exactly when its high bit is set in `(x - ones) & ~x & highs`.)
    fileprivate static func needsNoEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        let atOrBelowSpace = (word &- 0x21 &* ones) & ~word & highs != 0
        return !atOrBelowSpace && word & highs == 0 && !hasZero(word ^ (0x7F &* ones))
            && !hasZero(word ^ (0x22 &* ones)) && !hasZero(word ^ (0x5C &* ones))
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
