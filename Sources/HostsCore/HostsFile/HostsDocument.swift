import Foundation

/// A machine's own hosts file, kept byte for byte.
///
/// Only the managed block is ever interpreted; every other byte (comments, other tools' blocks, lines
/// this code would reject, CRLF, CR-only or mixed line ends, a missing final newline, invalid UTF-8) is carried
/// through untouched: removing the block gives back the file as it was before the block was added.
///
/// A file in an encoding that is not ASCII-compatible (UTF-16, UTF-32: some Windows editors save hosts files so)
/// is refused, since appending UTF-8 lines to it would corrupt it and no resolver would read them.
public struct HostsDocument: Sendable, Equatable {
    public static let beginMarker =
        "# BEGIN PSEUDODNS (managed by hosts-client; changes inside this block are replaced)"
    public static let endMarker = "# END PSEUDODNS"
    static let beginPrefix = Array("# BEGIN PSEUDODNS".utf8)
    static let endPrefix = Array("# END PSEUDODNS".utf8)

    public let bytes: [UInt8]
    /// Byte range of the whole block, markers and the end marker's line ending included. When the block ends
    /// the file without a line ending (it was added to a file without a final newline), the range also holds
    /// the one line break before the BEGIN line, which was added with it.
    let block: Range<Int>?
    /// Byte range of the lines between the markers.
    let body: Range<Int>?

    /// Reads a hosts file. Throws when the markers are unbalanced, since guessing where a block ends
    /// could delete someone's lines, and when the file is not in an ASCII-compatible encoding.
    public init(bytes: [UInt8]) throws(HostsDocumentError) {
        if let encoding = Self.incompatibleEncoding(bytes) {
            throw HostsDocumentError(
                line: 0,
                reason: "the file is \(encoding), not UTF-8 or another ASCII-compatible encoding; hosts-client "
                    + "left it alone (resolvers read hosts files as ASCII): convert it to UTF-8 first, e.g. "
                    + "iconv -f \(encoding.split(separator: " ").first ?? "UTF-16") -t UTF-8")
        }
        self.bytes = bytes
        var begin: (line: Int, start: Int, bodyStart: Int)?
        var found: (block: Range<Int>, body: Range<Int>)?
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            let (end, next) = Self.lineEnd(in: bytes, from: start)
            let line = bytes[start..<end]
            if line.starts(with: Self.beginPrefix) {
                if found != nil || begin != nil {
                    throw HostsDocumentError(line: lineNumber, reason: "a second '# BEGIN PSEUDODNS' marker")
                }
                begin = (lineNumber, start, next)
            } else if line.starts(with: Self.endPrefix) {
                guard let opened = begin else {
                    throw HostsDocumentError(
                        line: lineNumber, reason: "'# END PSEUDODNS' without a BEGIN marker before it")
                }
                var blockStart = opened.start
                if end == bytes.count { blockStart -= Self.lineBreakLength(endingAt: blockStart, in: bytes) }
                found = (blockStart..<next, opened.bodyStart..<start)
                begin = nil
            }
            start = next
        }
        if let begin {
            throw HostsDocumentError(line: begin.line, reason: "'# BEGIN PSEUDODNS' without an END marker after it")
        }
        block = found?.block
        body = found?.body
    }

    /// Where the line starting at `start` ends (its LF, CR of a CRLF, or a lone CR) and where the next one starts.
    static func lineEnd(in bytes: [UInt8], from start: Int) -> (end: Int, next: Int) {
        var end = start
        while end < bytes.count {
            if bytes[end] == 0x0A { return (end > start && bytes[end - 1] == 0x0D ? end - 1 : end, end + 1) }
            if bytes[end] == 0x0D, end + 1 == bytes.count || bytes[end + 1] != 0x0A { return (end, end + 1) }
            end += 1
        }
        return (end, end)
    }

    /// The length of the line break (CRLF, LF or CR) that ends right before `position`; 0 when there is none.
    static func lineBreakLength(endingAt position: Int, in bytes: [UInt8]) -> Int {
        guard position > 0 else { return 0 }
        if bytes[position - 1] == 0x0A { return position > 1 && bytes[position - 2] == 0x0D ? 2 : 1 }
        return bytes[position - 1] == 0x0D ? 1 : 0
    }

    /// The encoding's name when `bytes` cannot be an ASCII-compatible text: a UTF-16/UTF-32 byte order mark, or
    /// NUL bytes (UTF-16 without one). nil for UTF-8, ASCII and the 8-bit encodings, which leave ASCII alone.
    static func incompatibleEncoding(_ bytes: [UInt8]) -> String? {
        let head = Array(bytes.prefix(4))
        if head.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32LE (byte order mark FF FE 00 00)" }
        if head.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return "UTF-32BE (byte order mark 00 00 FE FF)" }
        if head.starts(with: [0xFF, 0xFE]) { return "UTF-16LE (byte order mark FF FE)" }
        if head.starts(with: [0xFE, 0xFF]) { return "UTF-16BE (byte order mark FE FF)" }
        if head.starts(with: [0x2B, 0x2F, 0x76]) { return "UTF-7 (byte order mark 2B 2F 76)" }
        guard let firstNUL = bytes.firstIndex(of: 0) else { return nil }
        // Without a mark: ASCII text in UTF-16 has a NUL in every other byte, odd offsets for little-endian.
        let sample = bytes.prefix(4096)
        var evenNULs = 0
        var oddNULs = 0
        for (offset, byte) in sample.enumerated() where byte == 0 {
            if offset % 2 == 0 { evenNULs += 1 } else { oddNULs += 1 }
        }
        if oddNULs * 4 > sample.count && evenNULs * 20 < oddNULs { return "UTF-16LE (no byte order mark)" }
        if evenNULs * 4 > sample.count && oddNULs * 20 < evenNULs { return "UTF-16BE (no byte order mark)" }
        return "binary data (a NUL byte at offset \(firstNUL))"
    }

    public var hasManagedBlock: Bool { block != nil }

    /// The lines between the markers, as text with LF line ends; nil when there is no block.
    public var managedBlockBody: String? {
        guard let body else { return nil }
        return String(decoding: bytes[body], as: UTF8.self).replacingCRLF()
    }

    /// The file's line ending, judged by its first line end: CRLF, LF, or a lone CR (an old Mac file).
    enum LineEnding { case lf, crlf, cr }

    var lineEnding: LineEnding {
        guard let index = bytes.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) else { return .lf }
        if bytes[index] == 0x0A { return .lf }
        return index + 1 < bytes.count && bytes[index + 1] == 0x0A ? .crlf : .cr
    }

    /// True when the file's lines end in CRLF (judged by its first line end).
    public var usesCRLF: Bool { lineEnding == .crlf }

    /// The document with its block holding `body`, or with a block appended when it had none. The block
    /// uses the file's own line ending (a body line's own CR is dropped first) — LF in a CR-only file, whose
    /// lines no resolver reads — and nothing outside it changes. Appended to a file without a final line break,
    /// the block brings the break before it and ends without one, so the file's end stays as it was.
    /// Throws when a body line would read as a marker.
    ///
    /// One pass over the body, straight into the new file's bytes: a 100,000-line body costs one array, not one
    /// per line plus a re-parse of the whole file.
    public func replacingManagedBlock(with body: String) throws(HostsDocumentError) -> HostsDocument {
        var body = body
        body.makeContiguousUTF8()
        let spliced = body.utf8.withContiguousStorageIfAvailable { splice($0) }!
        guard spliced.bodyIsPlain else {
            // Let the parser name the offending line.
            return try HostsDocument(bytes: spliced.document.bytes)
        }
        return spliced.document
    }

    private init(bytes: [UInt8], block: Range<Int>, body: Range<Int>) {
        self.bytes = bytes
        self.block = block
        self.body = body
    }

    /// The new document, and whether the body was free of marker lines (when it was not, the ranges are wrong).
    private func splice(_ text: UnsafeBufferPointer<UInt8>) -> (document: HostsDocument, bodyIsPlain: Bool) {
        let ending = lineEnding
        let newline: [UInt8] = ending == .crlf ? [0x0D, 0x0A] : [0x0A]
        let (before, after) = outside
        var out: [UInt8] = []
        let extra = newline.count == 2 ? text.count / 20 : 0
        out.reserveCapacity(before.count + after.count + text.count + extra + 200)
        out += before
        let blockStart = out.count
        // The block ends the file and the text before it has no line break at its end (no final newline): the
        // block brings its own break first and leaves the end of the file without one, as it was.
        let ownsBreak = after.isEmpty && !before.isEmpty && before.last != 0x0A && before.last != 0x0D
        if ownsBreak { out += ending == .cr ? [0x0D] : newline }
        out += Self.beginMarker.utf8
        out += newline
        let bodyStart = out.count
        var plain = true
        // Line by line in place: an array of 100,000 line slices would cost megabytes.
        // An empty body is one empty line, as it always was.
        if text.isEmpty { out += newline }
        var lineStart = 0
        while lineStart < text.count {
            var lineEnd = lineStart
            while lineEnd < text.count, text[lineEnd] != 0x0A { lineEnd += 1 }
            let line = text[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            let content = line.last == 0x0D ? line.dropLast() : line
            if content.first == UInt8(ascii: "#"),
                content.starts(with: Self.beginPrefix) || content.starts(with: Self.endPrefix)
            {
                plain = false
            }
            out += content
            out += newline
        }
        let bodyEnd = out.count
        out += Self.endMarker.utf8
        if !ownsBreak { out += newline }
        let blockEnd = out.count
        out += after
        return (HostsDocument(bytes: out, block: blockStart..<blockEnd, body: bodyStart..<bodyEnd), plain)
    }

    /// The document without its block; unchanged when it has none.
    public func removingManagedBlock() -> HostsDocument {
        guard let range = block else { return self }
        // Removing a balanced block leaves balanced markers, so this cannot throw.
        return try! HostsDocument(bytes: Array(bytes[..<range.lowerBound]) + Array(bytes[range.upperBound...]))
    }

    /// The bytes before and after the block (the whole file and nothing when there is no block).
    public var outside: (before: ArraySlice<UInt8>, after: ArraySlice<UInt8>) {
        guard let block else { return (bytes[...], []) }
        return (bytes[..<block.lowerBound], bytes[block.upperBound...])
    }
}

/// The hosts file's PSEUDODNS markers are unbalanced.
public struct HostsDocumentError: Error, CustomStringConvertible, Sendable, Equatable {
    public var line: Int
    public var reason: String

    public var description: String {
        guard line > 0 else { return reason }
        return
            "line \(line): \(reason); fix the markers by hand (or remove both) before hosts-client can manage the file"
    }
}

extension String {
    func replacingCRLF() -> String {
        replacingOccurrences(of: "\r\n", with: "\n")
    }
}
