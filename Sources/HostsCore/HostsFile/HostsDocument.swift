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
    /// uses the file's own line ending; nothing outside it changes.
    public func replacingManagedBlock(with body: String) throws(HostsDocumentError) -> HostsDocument {
        let newline: [UInt8] = usesCRLF ? [0x0D, 0x0A] : [0x0A]
        var block: [UInt8] = Array(Self.beginMarker.utf8) + newline
        for line in body.split(separator: "\n", omittingEmptySubsequences: false).dropLast(body.hasSuffix("\n") ? 1 : 0)
        {
            var text = Array(line.utf8)
            if text.last == 0x0D { text.removeLast() }
            block += text + newline
        }
        block += Array(Self.endMarker.utf8) + newline
        var out: [UInt8]
        if let range = self.block {
            out = Array(bytes[..<range.lowerBound]) + block + Array(bytes[range.upperBound...])
        } else {
            out = bytes
            if let last = out.last, last != 0x0A { out += newline }
            out += block
        }
        return try HostsDocument(bytes: out)
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
