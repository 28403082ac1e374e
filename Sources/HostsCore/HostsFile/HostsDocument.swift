import Foundation

/// A machine's own hosts file, kept byte for byte.
///
/// Only the managed block is ever interpreted; every other byte (comments, other tools' blocks, lines
/// this code would reject, CRLF or mixed line ends, invalid UTF-8) is carried through untouched.
public struct HostsDocument: Sendable, Equatable {
    public static let beginMarker =
        "# BEGIN PSEUDODNS (managed by hosts-client; changes inside this block are replaced)"
    public static let endMarker = "# END PSEUDODNS"
    static let beginPrefix = Array("# BEGIN PSEUDODNS".utf8)
    static let endPrefix = Array("# END PSEUDODNS".utf8)

    public let bytes: [UInt8]
    /// Byte range of the whole block, markers and the end marker's line ending included.
    let block: Range<Int>?
    /// Byte range of the lines between the markers.
    let body: Range<Int>?

    /// Reads a hosts file. Throws when the markers are unbalanced, since guessing where a block ends
    /// could delete someone's lines.
    public init(bytes: [UInt8]) throws(HostsDocumentError) {
        self.bytes = bytes
        var begin: (line: Int, start: Int, bodyStart: Int)?
        var found: (block: Range<Int>, body: Range<Int>)?
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let next = min(end + 1, bytes.count)
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
                found = (opened.start..<next, opened.bodyStart..<start)
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

    public var hasManagedBlock: Bool { block != nil }

    /// The lines between the markers, as text with LF line ends; nil when there is no block.
    public var managedBlockBody: String? {
        guard let body else { return nil }
        return String(decoding: bytes[body], as: UTF8.self).replacingCRLF()
    }

    /// True when the file's lines end in CRLF (judged by its first line end).
    public var usesCRLF: Bool {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return false }
        return newline > 0 && bytes[newline - 1] == 0x0D
    }

    /// The document with its block holding `body`, or with a block appended when it had none. The block
    /// uses the file's own line ending (a body line's own CR is dropped first); nothing outside it changes.
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
        let newline: [UInt8] = usesCRLF ? [0x0D, 0x0A] : [0x0A]
        let (before, after) = outside
        var out: [UInt8] = []
        let extra = newline.count == 2 ? text.count / 20 : 0
        out.reserveCapacity(before.count + after.count + text.count + extra + 200)
        out += before
        if block == nil, let last = before.last, last != 0x0A { out += newline }
        let blockStart = out.count
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
        out += newline
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
        "line \(line): \(reason); fix the markers by hand (or remove both) before hosts-client can manage the file"
    }
}

extension String {
    func replacingCRLF() -> String {
        replacingOccurrences(of: "\r\n", with: "\n")
    }
}
