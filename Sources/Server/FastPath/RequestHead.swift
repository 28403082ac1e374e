#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request head read straight from the connection's bytes and checked against RFC 9112 before anything
/// else sees it, whichever path then answers it: the fast path (a plain `GET`/`HEAD` of an origin-form
/// target with no body), or NIO's parser and Hummingbird (everything else). Checking here, once, is what
/// makes both paths refuse the same requests the same way:
/// - every line ends in CRLF (a bare LF or CR is refused: RFC 9112 §2.2 lets a server accept a bare LF,
///   but a front proxy that does not would frame the request differently);
/// - the request line is `method SP target SP HTTP/1.x` (no HTTP/0.9), the version 1.0 or 1.1;
/// - no line folding, field names are tokens, values hold no control characters;
/// - HTTP/1.1 carries exactly one valid `Host` (§3.2), HTTP/1.0 at most one;
/// - `Transfer-Encoding` ends in `chunked`, is `chunked` alone, comes without `Content-Length` and not
///   in HTTP/1.0 (§6.1); `Content-Length` is one decimal number (§6.3).
/// `Upgrade` is ignored (the request is answered as HTTP/1.1), `CONNECT` refused, and a method other than the
/// common ones (GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, PATCH) answered 501.
struct RequestHead {
    enum Method: Equatable {
        case get
        case head
        case connect
        case other
    }

    enum Body: Equatable {
        case none
        case length(Int)
        case chunked
    }

    let method: Method
    let methodName: String
    /// The target up to `?`, exactly as sent.
    let path: Substring
    let isOriginForm: Bool
    let keepAlive: Bool
    /// HTTP/1.0: its connection semantics apply (close unless asked, and the answer says it kept it).
    let isHTTP10: Bool
    let headers: RawHeaders
    let body: Body
    /// Bytes of the head, the empty line included.
    let length: Int
    /// Where the `Upgrade` field lines are (offsets in the head), left out when the head goes on to NIO's
    /// parser, which would otherwise stop parsing after the request, waiting for the protocol switch.
    let upgradeLines: [Range<Int>]

    /// The kind of request the fast path may answer.
    var isPlainPoll: Bool { (method == .get || method == .head) && isOriginForm && body == .none }

    struct Limits {
        var maxHeaderBytes: Int
        var maxHeaderFields: Int
    }

    enum ParseResult {
        /// No complete head yet, and nothing wrong so far.
        case incomplete
        case head(RequestHead)
        /// Refused: answered with `answer`, then the connection closes. Method and path as far as read.
        case refused(PlainAnswer, method: String, path: Substring)
    }

    /// Parses the head at the start of `bytes` (which may hold more than one request). Lines are checked as
    /// they complete, so a request line without a version is refused without waiting for an empty line
    /// that an HTTP/0.9 client never sends.
    static func parse(_ bytes: UnsafeRawBufferPointer, limits: Limits) -> ParseResult {
        var strings = RecentStrings()
        return parse(bytes, limits: limits, strings: &strings)
    }

    /// The same, taking the path and kept header values from `strings` when they are the bytes of one it
    /// holds (a connection's polls repeat them), so a poll allocates no string.
    static func parse(_ bytes: UnsafeRawBufferPointer, limits: Limits, strings: inout RecentStrings) -> ParseResult {
        var parser = Parser(bytes: bytes, limits: limits)
        return parser.run(&strings)
    }

    /// Whether the bytes from `start` on complete a line worth parsing again: an LF that ends the first
    /// line, ends the head (CRLF CRLF), or is bare. Lets a head that arrives in many small pieces be parsed
    /// a few times, not once per piece.
    static func completesSomething(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        var index = start
        while index < bytes.count {
            if bytes[index] == lf {
                if index == 0 || bytes[index - 1] != cr { return true }
                if index >= 3, bytes[index - 2] == lf, bytes[index - 3] == cr { return true }
                // The first LF past any empty lines ends the request line.
                var first = 0
                while first + 1 < bytes.count, bytes[first] == cr, bytes[first + 1] == lf { first += 2 }
                if first < index, !bytes[first..<index].contains(lf) { return true }
            }
            index += 1
        }
        return false
    }

    fileprivate static let cr: UInt8 = 13
    fileprivate static let lf: UInt8 = 10
}

private struct Parser {
    let bytes: UnsafeRawBufferPointer
    let limits: RequestHead.Limits
    var methodName = "-"
    var path: Substring = "-"

    init(bytes: UnsafeRawBufferPointer, limits: RequestHead.Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func run(_ strings: inout RecentStrings) -> RequestHead.ParseResult {
        var start = 0
        // RFC 9112 §2.2: empty lines before the request line are ignored.
        while start + 1 < bytes.count, bytes[start] == RequestHead.cr, bytes[start + 1] == RequestHead.lf {
            start += 2
        }
        let firstLine: Line
        switch line(from: start) {
        case .incomplete: return tooLarge(start) ?? .incomplete
        case .bad(let why): return refuse(.badRequest(why))
        case .line(let found): firstLine = found
        }
        let request: RequestLine
        switch requestLine(firstLine, &strings) {
        case .bad(let answer): return refuse(answer)
        case .ok(let parsed): request = parsed
        }
        if request.method == .connect { return refuse(.connectNotAllowed) }

        var fields = Fields()
        var cursor = firstLine.next
        var count = 0
        while true {
            let current: Line
            switch line(from: cursor) {
            case .incomplete: return tooLarge(start) ?? .incomplete
            case .bad(let why): return refuse(.badRequest(why))
            case .line(let found): current = found
            }
            cursor = current.next
            if current.start == current.end { break }
            count += 1
            guard count <= limits.maxHeaderFields else { return refuse(.headersTooLarge) }
            if let why = fields.add(bytes, current, &strings) { return refuse(.badRequest(why)) }
        }
        guard cursor <= limits.maxHeaderBytes else { return refuse(.headersTooLarge) }
        return finish(request, fields, length: cursor)
    }

    private func tooLarge(_ start: Int) -> RequestHead.ParseResult? {
        bytes.count - start > limits.maxHeaderBytes ? refuse(.headersTooLarge) : nil
    }

    private func refuse(_ answer: PlainAnswer) -> RequestHead.ParseResult {
        .refused(answer, method: methodName, path: path)
    }

    struct Line {
        let start: Int
        /// Index of the CR.
        let end: Int
        /// Start of the next line.
        let next: Int
    }

    enum LineResult {
        case incomplete
        case line(Line)
        case bad(String)
    }

    /// The line starting at `start`, which must end in CRLF and hold no other CR or LF. Searched with
    /// `memchr` (vectorized): every byte of every request goes through here.
    private func line(from start: Int) -> LineResult {
        guard start < bytes.count, let base = bytes.baseAddress else { return .incomplete }
        let rest = bytes.count - start
        guard let found = memchr(base + start, Int32(RequestHead.lf), rest) else {
            // No line end yet: only a CR not followed by LF can be refused already.
            guard let cr = memchr(base + start, Int32(RequestHead.cr), rest) else { return .incomplete }
            let index = base.distance(to: UnsafeRawPointer(cr))
            return index + 1 < bytes.count ? .bad("bare CR") : .incomplete
        }
        let lf = base.distance(to: UnsafeRawPointer(found))
        // The first CR, if any, must be the one just before the LF; one earlier is followed by something else.
        if lf > start, let cr = memchr(base + start, Int32(RequestHead.cr), lf - start) {
            let index = base.distance(to: UnsafeRawPointer(cr))
            if index != lf - 1 { return .bad("bare CR") }
            return .line(Line(start: start, end: index, next: lf + 1))
        }
        return .bad("bare LF line end")
    }

    struct RequestLine {
        var method: RequestHead.Method
        var target: Range<Int>
        var pathEnd: Int
        var isOriginForm: Bool
        var isHTTP10: Bool
    }

    enum RequestLineResult {
        case ok(RequestLine)
        case bad(PlainAnswer)
    }

    private mutating func requestLine(_ line: Line, _ strings: inout RecentStrings) -> RequestLineResult {
        var index = line.start
        while index < line.end, isTokenByte(bytes[index]) { index += 1 }
        guard index > line.start, index < line.end, bytes[index] == UInt8(ascii: " ") else {
            return .bad(.badRequest("malformed request line"))
        }
        let methodBytes = bytes[line.start..<index]
        methodName = Self.knownMethodName(methodBytes) ?? String(decoding: methodBytes, as: UTF8.self)
        var method = RequestHead.Method.other
        var known = true
        switch methodName {
        case "GET": method = .get
        case "HEAD": method = .head
        case "CONNECT": method = .connect
        case "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH": break
        // NIO's parser knows a fixed list of methods and fails on any other; refusing them here (once the
        // version is known good) answers them the same way whichever path would have, and whatever is
        // pipelined before them.
        default: known = false
        }
        index += 1
        let targetStart = index
        var queryStart: Int?
        while index < line.end, bytes[index] != UInt8(ascii: " ") {
            let byte = bytes[index]
            guard byte > 0x20, byte < 0x7F else { return .bad(.badRequest("malformed request target")) }
            if byte == UInt8(ascii: "?"), queryStart == nil { queryStart = index }
            index += 1
        }
        guard index > targetStart else { return .bad(.badRequest("malformed request line")) }
        let target = targetStart..<index
        path = strings.string(UnsafeRawBufferPointer(rebasing: bytes[targetStart..<(queryStart ?? index)]))[...]
        // Only `method SP target`: an HTTP/0.9 request, which has no headers and no way to be answered.
        guard index < line.end else { return .bad(.badRequest("no HTTP version (HTTP/0.9 is not served)")) }
        let version = bytes[(index + 1)..<line.end]
        guard version.count == 8, memcmp(bytes.baseAddress! + index + 1, "HTTP/", 5) == 0,
            isDigit(version[version.startIndex + 5]), version[version.startIndex + 6] == UInt8(ascii: "."),
            isDigit(version[version.startIndex + 7])
        else { return .bad(.badRequest("malformed request line")) }
        let major = version[version.startIndex + 5]
        let minor = version[version.startIndex + 7]
        guard major == UInt8(ascii: "1"), minor == UInt8(ascii: "0") || minor == UInt8(ascii: "1") else {
            return .bad(.versionNotSupported)
        }
        guard known else { return .bad(.methodNotImplemented) }
        let first = bytes[targetStart]
        let isOriginForm = first == UInt8(ascii: "/")
        let isAsterisk = target.count == 1 && first == UInt8(ascii: "*")
        let isAbsolute = !isOriginForm && bytes[target].firstRange(of: "://".utf8) != nil
        guard isOriginForm || isAsterisk || isAbsolute || method == .connect else {
            return .bad(.badRequest("malformed request target"))
        }
        return .ok(
            RequestLine(
                method: method, target: target, pathEnd: queryStart ?? index, isOriginForm: isOriginForm,
                isHTTP10: minor == UInt8(ascii: "0")))
    }

    private func finish(_ request: RequestLine, _ fields: Fields, length: Int) -> RequestHead.ParseResult {
        if !request.isHTTP10, fields.hosts == 0 { return refuse(.badRequest("no Host header")) }
        if fields.hosts > 1 { return refuse(.badRequest("more than one Host header")) }
        if fields.invalidHost { return refuse(.badRequest("invalid Host header")) }
        var body = RequestHead.Body.none
        if !fields.transferCodings.isEmpty || fields.hasTransferEncoding {
            if request.isHTTP10 { return refuse(.badRequest("Transfer-Encoding in an HTTP/1.0 request")) }
            if fields.contentLength != nil || fields.invalidContentLength {
                return refuse(.badRequest("both Transfer-Encoding and Content-Length"))
            }
            guard fields.transferCodings.last == "chunked" else {
                return refuse(.badRequest("Transfer-Encoding does not end in chunked"))
            }
            guard fields.transferCodings.count == 1 else { return refuse(.codingNotImplemented) }
            body = .chunked
        } else if fields.invalidContentLength {
            return refuse(.badRequest("invalid Content-Length"))
        } else if let contentLength = fields.contentLength, contentLength > 0 {
            body = .length(contentLength)
        }
        let keepAlive =
            request.isHTTP10 ? fields.connectionKeepAlive && !fields.connectionClose : !fields.connectionClose
        return .head(
            RequestHead(
                method: request.method, methodName: methodName, path: path, isOriginForm: request.isOriginForm,
                keepAlive: keepAlive, isHTTP10: request.isHTTP10, headers: fields.kept, body: body, length: length,
                upgradeLines: fields.upgradeLines))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The common methods as string literals, which cost no allocation.
    private static func knownMethodName(_ bytes: Slice<UnsafeRawBufferPointer>) -> String? {
        let start = bytes.base.baseAddress! + bytes.startIndex
        func matches(_ name: StaticString) -> Bool {
            bytes.count == name.utf8CodeUnitCount && memcmp(start, name.utf8Start, bytes.count) == 0
        }
        if matches("GET") { return "GET" }
        if matches("HEAD") { return "HEAD" }
        for name in knownMethods where matches(name) { return "\(name)" }
        return nil
    }

    private static let knownMethods: [StaticString] = ["POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "CONNECT"]
}

/// What the header lines say, as far as framing, the connection and the fast path's answer go.
private struct Fields {
    var kept = RawHeaders()
    var hosts = 0
    var invalidHost = false
    var contentLength: Int?
    var invalidContentLength = false
    var hasTransferEncoding = false
    var transferCodings: [Substring] = []
    var connectionClose = false
    var connectionKeepAlive = false
    var upgradeLines: [Range<Int>] = []

    /// Takes one `name: value` line; returns why it is refused, if it is. The value becomes a string only
    /// when it is kept (and then from `strings` when it repeats).
    mutating func add(
        _ bytes: UnsafeRawBufferPointer, _ line: Parser.Line, _ strings: inout RecentStrings
    ) -> String? {
        var index = line.start
        while index < line.end, isTokenByte(bytes[index]) { index += 1 }
        if index == line.start, bytes[index] == 0x20 || bytes[index] == 0x09 { return "obsolete line folding" }
        // Also refuses a space before the colon.
        guard index > line.start, index < line.end, bytes[index] == UInt8(ascii: ":") else {
            return "malformed header field"
        }
        let name = bytes[line.start..<index]
        index += 1
        while index < line.end, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        let valueStart = index
        guard Self.isFieldValue(bytes, from: valueStart, to: line.end) else {
            return "control character or non-ASCII byte in a header field"
        }
        var valueEnd = line.end
        while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        let valueBytes = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])
        func keep(_ header: HeaderName) { kept.append(header, strings.string(valueBytes)) }
        func text() -> String { String(decoding: valueBytes, as: UTF8.self) }
        switch name.count {
        case 4 where equals(name, "host"):
            hosts += 1
            if !HostField.isValid(bytes: valueBytes.assumingMemoryBound(to: UInt8.self)) { invalidHost = true }
        case 7 where equals(name, "upgrade"):
            upgradeLines.append(line.start..<line.next)
        case 8 where equals(name, "if-match"): keep(.ifMatch)
        case 9 where equals(name, "forwarded"): keep(.forwarded)
        case 10 where equals(name, "connection"):
            _ = HTTPListBytes.contains(valueBytes) { word in
                if HTTPListBytes.equals(word, "close") {
                    connectionClose = true
                } else if HTTPListBytes.equals(word, "keep-alive") {
                    connectionKeepAlive = true
                }
                return false
            }
        case 13 where equals(name, "authorization"): keep(.authorization)
        case 13 where equals(name, "if-none-match"): keep(.ifNoneMatch)
        case 14 where equals(name, "content-length"):
            for member in text().split(separator: ",", omittingEmptySubsequences: false) {
                let digits = member.trimmingSpaces
                guard !digits.isEmpty, digits.utf8.count <= 18, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                    let number = Int(digits), contentLength == nil || contentLength == number
                else {
                    invalidContentLength = true
                    break
                }
                contentLength = number
            }
        case 15 where equals(name, "accept-encoding"): keep(.acceptEncoding)
        case 15 where equals(name, "x-forwarded-for"): keep(.xForwardedFor)
        case 17 where equals(name, "if-modified-since"): keep(.ifModifiedSince)
        case 17 where equals(name, "transfer-encoding"):
            hasTransferEncoding = true
            for coding in text().split(separator: ",") {
                let trimmed = coding.trimmingSpaces
                if !trimmed.isEmpty { transferCodings.append(trimmed.lowercased()[...]) }
            }
        case 19 where equals(name, "if-unmodified-since"): keep(.ifUnmodifiedSince)
        default: break
        }
        return nil
    }

    /// Whether every byte from `start` to `end` may be in a field value: visible ASCII, space or tab. Eight
    /// bytes at a time while none is below 0x20, 0x7F or above (a tab sends that word byte by byte): every
    /// byte of every header value goes through here.
    static func isFieldValue(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while index + 8 <= end {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let below = (word &- 0x20 &* ones) & ~word & highs
            let delete = word ^ (0x7F &* ones)
            let deletes = (delete &- ones) & ~delete & highs
            if below | deletes | (word & highs) != 0 { break }
            index += 8
        }
        while index < end {
            let byte = bytes[index]
            guard byte >= 0x20 || byte == 0x09, byte != 0x7F, byte < 0x80 else { return false }
            index += 1
        }
        return true
    }

    private func equals(_ name: Slice<UnsafeRawBufferPointer>, _ lowercase: StaticString) -> Bool {
        HTTPListBytes.equals(name, lowercase)
    }
}

/// RFC 9110 `tchar`: a switch the compiler turns into a table, since every byte of every method and field
/// name goes through it (searching a string's UTF-8 for the punctuation cost more than the rest of parsing).
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
        UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
        UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}

/// The request headers the fast path's answer depends on, in the order they came.
struct RawHeaders: HeaderLookup {
    // A struct, not a tuple: copying tuples of these types goes through runtime metadata on every request.
    private struct Field {
        /// ``HeaderName/id``: the name itself holds three strings, which every request would copy and free.
        let id: UInt8
        let value: String
    }

    private var fields: [Field] = []
    /// Which names are present (a bit per ``HeaderName/id``): most lookups are for headers a poll does not send.
    private var present: UInt32 = 0

    mutating func append(_ name: HeaderName, _ value: String) {
        // Room for a poll's usual kept headers at once (validator, Accept-Encoding, Authorization), rather than
        // one allocation for the first and another as the array grows.
        if fields.isEmpty { fields.reserveCapacity(4) }
        fields.append(Field(id: name.id, value: value))
        present |= 1 << UInt32(name.id)
    }

    func values(_ name: HeaderName) -> [String] {
        guard contains(name) else { return [] }
        var found: [String] = []
        for field in fields where field.id == name.id { found.append(field.value) }
        return found
    }

    func contains(_ name: HeaderName) -> Bool {
        present & (1 << UInt32(name.id)) != 0
    }

    func onlyValue(_ name: HeaderName) -> String? {
        guard contains(name) else { return nil }
        var found: String?
        for field in fields where field.id == name.id {
            if found != nil { return nil }
            found = field.value
        }
        return found
    }
}
