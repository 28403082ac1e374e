/// A request head read straight from the connection's bytes, for the fast path. It understands only the
/// plain requests clients poll with — `GET` or `HEAD` of an origin-form target, HTTP/1.0 or 1.1, no body,
/// every line ending in CRLF — and keeps only the headers the answer depends on (with `Forwarded` and
/// `X-Forwarded-For`, which choose a view's profile behind a trusted proxy: a request through a proxy is answered
/// here like any other, and the same way Hummingbird would). Anything else is
/// `unsupported`: the connection then goes through NIO's HTTP parser and Hummingbird, which accept or
/// reject it with the full rules, so this parser may be strict without ever being wrong.
struct RawRequest {
    enum Method {
        case get
        case head
    }

    let method: Method
    /// The target up to `?`, exactly as sent.
    let path: Substring
    let keepAlive: Bool
    /// HTTP/1.0 asked for keep-alive (so the answer says it kept the connection).
    let isHTTP10: Bool
    let headers: RawHeaders

    enum ParseResult {
        /// No complete head yet.
        case incomplete
        case request(RawRequest, length: Int)
        case unsupported
    }

    /// Parses the head at the start of `bytes`, which may hold more than one request.
    static func parse(_ bytes: UnsafeRawBufferPointer, maxHeaderFields: Int) -> ParseResult {
        var cursor = 0
        // Request line.
        guard let lineEnd = lineEnd(bytes, from: 0) else { return .incomplete }
        let method: Method
        if startsWith(bytes, at: 0, "GET ") {
            method = .get
            cursor = 4
        } else if startsWith(bytes, at: 0, "HEAD ") {
            method = .head
            cursor = 5
        } else {
            return .unsupported
        }
        let targetStart = cursor
        var queryStart: Int?
        while cursor < lineEnd, bytes[cursor] != UInt8(ascii: " ") {
            let byte = bytes[cursor]
            guard byte > 0x20, byte < 0x7F else { return .unsupported }
            if byte == UInt8(ascii: "?"), queryStart == nil { queryStart = cursor }
            cursor += 1
        }
        guard cursor > targetStart, bytes[targetStart] == UInt8(ascii: "/"), lineEnd - cursor == 9 else {
            return .unsupported
        }
        let isHTTP10: Bool
        if startsWith(bytes, at: cursor, " HTTP/1.1") {
            isHTTP10 = false
        } else if startsWith(bytes, at: cursor, " HTTP/1.0") {
            isHTTP10 = true
        } else {
            return .unsupported
        }
        let path = String(decoding: bytes[targetStart..<(queryStart ?? cursor)], as: UTF8.self)[...]

        // Header lines, up to the empty line.
        var headers = RawHeaders()
        var connectionClose = false
        var connectionKeepAlive = false
        var fields = 0
        var lineStart = lineEnd + 2
        while true {
            guard let end = Self.lineEnd(bytes, from: lineStart) else { return .incomplete }
            if end == lineStart { break }
            fields += 1
            guard fields <= maxHeaderFields else { return .unsupported }
            guard let field = Field(bytes, start: lineStart, end: end) else { return .unsupported }
            switch field.kind(bytes) {
            case .body: return .unsupported
            case .connection:
                for token in field.value(bytes).split(separator: ",") {
                    switch token.trimmingSpaces.lowercased() {
                    case "close": connectionClose = true
                    case "keep-alive": connectionKeepAlive = true
                    default: break
                    }
                }
            case .kept(let name): headers.append(name, field.value(bytes))
            case .ignored: break
            }
            lineStart = end + 2
        }
        let keepAlive = isHTTP10 ? connectionKeepAlive && !connectionClose : !connectionClose
        let request = RawRequest(method: method, path: path, keepAlive: keepAlive, isHTTP10: isHTTP10, headers: headers)
        return .request(request, length: lineStart + 2)
    }

    /// Whether `bytes` hold an empty line (CRLFCRLF) at or after `start`: a complete head to parse.
    static func containsHeadEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        var index = start
        while index + 3 < bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 {
                return true
            }
            index += 1
        }
        return false
    }

    /// Index of the CR of the next CRLF at or after `start`; nil when the line is not complete yet.
    /// A bare LF or CR anywhere is left to the full parser (the caller sees `unsupported` through
    /// `Field` or the request line rules, or waits here for the CRLF that makes it complete).
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    private static func startsWith(_ bytes: UnsafeRawBufferPointer, at offset: Int, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let prefix = UnsafeRawBufferPointer(start: text.utf8Start, count: count)
        return bytes[offset..<offset + count].elementsEqual(prefix)
    }

    /// One `name: value` line, validated: a token for the name, no control characters but tab in the value.
    private struct Field {
        let nameEnd: Int
        let valueStart: Int
        let valueEnd: Int
        let start: Int

        init?(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int) {
            var index = start
            while index < end, Self.isTokenByte(bytes[index]) { index += 1 }
            // Also refuses a continuation line (obs-fold) and a space before the colon.
            guard index > start, index < end, bytes[index] == UInt8(ascii: ":") else { return nil }
            nameEnd = index
            index += 1
            while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
            valueStart = index
            var last = index
            while index < end {
                let byte = bytes[index]
                guard byte >= 0x20 || byte == 0x09, byte != 0x7F else { return nil }
                if byte != 0x20, byte != 0x09 { last = index + 1 }
                index += 1
            }
            valueEnd = last
            self.start = start
        }

        enum Kind {
            /// A header announcing a body or a protocol change: not a plain request.
            case body
            case connection
            case kept(HeaderName)
            case ignored
        }

        func kind(_ bytes: UnsafeRawBufferPointer) -> Kind {
            let name = bytes[start..<nameEnd]
            switch name.count {
            case 6 where Self.equals(name, "expect"): return .body
            case 7 where Self.equals(name, "upgrade"): return .body
            case 8 where Self.equals(name, "if-match"): return .kept(.ifMatch)
            case 9 where Self.equals(name, "forwarded"): return .kept(.forwarded)
            case 10 where Self.equals(name, "connection"): return .connection
            case 13 where Self.equals(name, "authorization"): return .kept(.authorization)
            case 13 where Self.equals(name, "if-none-match"): return .kept(.ifNoneMatch)
            case 14 where Self.equals(name, "content-length"): return .body
            case 15 where Self.equals(name, "accept-encoding"): return .kept(.acceptEncoding)
            case 15 where Self.equals(name, "x-forwarded-for"): return .kept(.xForwardedFor)
            case 17 where Self.equals(name, "if-modified-since"): return .kept(.ifModifiedSince)
            case 17 where Self.equals(name, "transfer-encoding"): return .body
            case 19 where Self.equals(name, "if-unmodified-since"): return .kept(.ifUnmodifiedSince)
            default: return .ignored
            }
        }

        func value(_ bytes: UnsafeRawBufferPointer) -> String {
            String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)
        }

        /// Case-insensitive comparison with a lowercase ASCII name.
        private static func equals(_ name: Slice<UnsafeRawBufferPointer>, _ lowercase: StaticString) -> Bool {
            let expected = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
            return name.elementsEqual(expected) { byte, lower in
                (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == lower
            }
        }

        /// RFC 9110 `tchar`.
        private static func isTokenByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}

/// The request headers the fast path's answer depends on, in the order they came.
struct RawHeaders: HeaderLookup {
    private var fields: [(name: HeaderName, value: String)] = []

    mutating func append(_ name: HeaderName, _ value: String) {
        fields.append((name, value))
    }

    func values(_ name: HeaderName) -> [String] {
        fields.compactMap { $0.name.text == name.text ? $0.value : nil }
    }

    func contains(_ name: HeaderName) -> Bool {
        fields.contains { $0.name.text == name.text }
    }
}
