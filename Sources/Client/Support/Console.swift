import Foundation
import HostsCore

/// Where output goes: results to stdout (text or JSON), warnings and errors to stderr.
///
/// Every line passes through `Redaction`: a URL's password or token never reaches a terminal or a log, whichever
/// message (an error from a fetch, a status line) carries it. And through HostsCore's `VisibleText`, the one
/// escaping of characters that display as something else or as nothing (`<U+202E>`): messages quote a server's
/// bytes, a segment's line, a file's line or a header, and root's terminal or journal must not take an escape
/// sequence, a bidi override or a forged line break from them. The quoting sites also bound what they quote
/// (`VisibleText.excerpt`); this is the net under them, for text that reaches a message some other way (a
/// library's error description).
enum Console {
    /// Lines of `text`, each escaped; line breaks (LF, and CR before LF) are kept, since `show` and a diff print
    /// many lines at once.
    static func visible(_ text: String) -> String {
        // Hot path: `show` of a 100,000-line segment is ASCII.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 || $0 == 0x0A }) { return text }
        // Scalars, not Characters: "\r\n" is one Character.
        return text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r"
                ? VisibleText.escaped(String(line.dropLast())) + "\r" : VisibleText.escaped(String(line))
        }.joined(separator: "\n")
    }

    static func out(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((visible(Redaction.urls(in: text)) + terminator).utf8))
    }

    /// One line: a line break inside `text` is escaped too, so a message cannot forge a second line.
    static func err(_ text: String) {
        FileHandle.standardError.write(
            Data(("hosts-client: " + VisibleText.escaped(Redaction.urls(in: text)) + "\n").utf8))
    }

    static func json(_ value: some Encodable) throws {
        let data = try StateStore.encoder.encode(value)
        FileHandle.standardOutput.write(Data((Redaction.urls(in: String(decoding: data, as: UTF8.self)) + "\n").utf8))
    }
}
