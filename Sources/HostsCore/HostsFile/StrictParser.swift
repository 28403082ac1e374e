/// The parser for hosts content that came from somewhere else: a server, a generator include, a segment
/// a user edited. Every line must be an entry, a comment or blank; anything else is an error naming the
/// line, because writing half of a damaged file into /etc/hosts is worse than writing nothing. Names are read
/// with the permissive ``Hostname/Rules`` (underscores allowed), as resolvers read hosts files.
public enum StrictParser {
    /// Longer lines are rejected; real hosts lines are far shorter, and minified HTML or binary data is not.
    public static let maxLineLength = 4096

    /// Parses `bytes`. Accepts LF or CRLF line ends, a leading UTF-8 BOM, tabs, inline `#` comments and
    /// several names per line. Rejects NUL and other control characters, invalid UTF-8, over-long lines,
    /// HTML, and any line that is not `ADDRESS NAME [NAME…] [# comment]`.
    public static func parse(_ bytes: some Collection<UInt8>, source: String) throws(HostsParseError) -> [HostsEntry] {
        let result: Result<[HostsEntry], HostsParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(HostsParseError) in try parse(buffer: buffer, source: source) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(HostsParseError) in
            try parse(buffer: buffer, source: source)
        }
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, source: String) throws(HostsParseError) -> [HostsEntry] {
        var entries: [HostsEntry] = []
        // One entry per line at most: counting lines costs far less than a guess that is too big (wasted
        // megabytes for a large segment) or too small (the array doubles, briefly holding both copies).
        entries.reserveCapacity(lineCount(buffer))
        try forEachEntry(in: buffer, source: source) { entry, _ in entries.append(entry) }
        return entries
    }

    /// An upper bound of the number of lines (and so of entries) in `buffer`.
    static func lineCount(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 1
        for byte in buffer where byte == 0x0A { count += 1 }
        return count
    }

    /// Validates every line of `buffer` and hands each entry, with the offset of its line's first byte, to `body`.
    ///
    /// `skipped` (lenient parsing, for third-party lists): a line that is not an entry is counted there and
    /// passed over instead of failing the whole text. Still fatal even then: HTML on the first line (an error
    /// page), and more skipped lines than entries (not a hosts list at all).
    static func forEachEntry(
        in buffer: UnsafeBufferPointer<UInt8>, source: String, _ body: (HostsEntry, Int) -> Void
    ) throws(HostsParseError) {
        var strict: SkippedLines?
        try forEachEntry(in: buffer, source: source, skipped: &strict, body)
    }

    static func forEachEntry(
        in buffer: UnsafeBufferPointer<UInt8>, source: String, skipped: inout SkippedLines?,
        _ body: (HostsEntry, Int) -> Void
    ) throws(HostsParseError) {
        var start = 0
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        var lineNumber = 0
        var sawContent = false
        var entries = 0
        while start < buffer.count {
            lineNumber += 1
            let line = Self.line(in: buffer, at: start)
            let first = !sawContent
            do {
                if let entry = try parseLine(line.bytes, number: lineNumber, source: source, first: first) {
                    body(entry, start)
                    entries += 1
                }
            } catch {
                guard skipped != nil, !(first && line.bytes.first == UInt8(ascii: "<")) else { throw error }
                skipped!.record(line: lineNumber, reason: error.reason)
            }
            if !sawContent, line.bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) { sawContent = true }
            start = line.next
        }
        if let skipped, skipped.count > entries, let example = skipped.first.first {
            throw HostsParseError(
                source: source, line: example.line,
                reason: "\(example.reason), and \(skipped.count) of \(skipped.count + entries) lines "
                    + "are not hosts entries: not a hosts list, even for --lenient")
        }
    }

    /// The line that starts at `start`, without its LF or CRLF, and where the next one starts.
    static func line(in buffer: UnsafeBufferPointer<UInt8>, at start: Int) -> (
        bytes: UnsafeBufferPointer<UInt8>, next: Int
    ) {
        var end = start
        while end < buffer.count, buffer[end] != 0x0A { end += 1 }
        let next = end + 1
        if end > start, buffer[end - 1] == 0x0D { end -= 1 }
        return (UnsafeBufferPointer(rebasing: buffer[start..<end]), next)
    }

    static func parseLine(
        _ line: UnsafeBufferPointer<UInt8>, number: Int, source: String, first: Bool
    ) throws(HostsParseError) -> HostsEntry? {
        func fail(_ reason: String) -> HostsParseError {
            HostsParseError(source: source, line: number, reason: reason)
        }
        guard line.count <= maxLineLength else {
            throw fail("line is \(line.count) bytes long, over the limit of \(maxLineLength)")
        }
        var hash = line.count
        var ascii = true
        for (index, byte) in line.enumerated() {
            if byte < 0x20 && byte != 0x09 || byte == 0x7F {
                let what = byte == 0 ? "NUL byte" : (byte == 0x0D ? "stray carriage return" : "control character")
                throw fail(
                    "\(what) (0x\(String(byte, radix: 16, uppercase: true))) at column \(index + 1): not a text hosts file"
                )
            }
            if byte >= 0x80 { ascii = false }
            if byte == UInt8(ascii: "#"), hash == line.count { hash = index }
        }
        if !ascii, String(validating: line, as: UTF8.self) == nil {
            throw fail("not valid UTF-8")
        }
        var fields: [UnsafeBufferPointer<UInt8>] = []
        var index = 0
        while index < hash {
            while index < hash, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
            let fieldStart = index
            while index < hash, line[index] != 0x20 && line[index] != 0x09 { index += 1 }
            if index > fieldStart { fields.append(UnsafeBufferPointer(rebasing: line[fieldStart..<index])) }
        }
        guard let addressField = fields.first else { return nil }
        if addressField.first == UInt8(ascii: "<") {
            throw fail(first ? "this is HTML (an error page?), not a hosts file" : "HTML tag, not a hosts entry")
        }
        let address: IPAddress
        do {
            address = try IPAddress(bytes: addressField)
        } catch {
            throw fail(error.description)
        }
        guard fields.count > 1 else {
            throw fail("address \(address) has no hostname after it")
        }
        var names: [Hostname] = []
        names.reserveCapacity(fields.count - 1)
        for field in fields.dropFirst() {
            do {
                // Permissive: an underscore name resolves from a hosts file (see Hostname.Rules).
                names.append(try Hostname(bytes: field, rules: .permissive))
            } catch {
                throw fail(error.description)
            }
        }
        var comment: String?
        if hash < line.count {
            let text = String(decoding: UnsafeBufferPointer(rebasing: line[(hash + 1)...]), as: UTF8.self)
            let trimmed = text.trimmingSpaces()
            if !trimmed.isEmpty { comment = trimmed }
        }
        return HostsEntry(address: address, hostnames: names, comment: comment, line: number)
    }
}

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}

/// The lines a lenient parse passed over: how many, and the first few with their line numbers.
public struct SkippedLines: Sendable, Equatable, Codable {
    /// How many are kept with their reason; the rest are only counted.
    public static let kept = 5

    public var count = 0
    public var first: [SkippedLine] = []

    public init() {}

    mutating func record(line: Int, reason: String) {
        count += 1
        if first.count < Self.kept { first.append(SkippedLine(line: line, reason: reason)) }
    }
}

/// One line a lenient parse passed over.
public struct SkippedLine: Sendable, Equatable, Codable {
    public var line: Int
    public var reason: String
}
