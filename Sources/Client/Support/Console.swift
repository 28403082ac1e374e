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
        let text = Redaction.urls(in: String(decoding: data, as: UTF8.self))
        FileHandle.standardOutput.write(Data((jsonVisible(text) + "\n").utf8))
    }

    /// JSON whose strings hold no character that displays as something else or as nothing: each is written as its
    /// `\uXXXX` escape, so the value a parser reads is unchanged while a terminal shows the JSON as it is.
    /// JSONEncoder escapes C0 controls itself but not DEL, C1 controls, bidi overrides or zero-width characters
    /// (an ETag header or a redirect's Location can carry them); outside strings there is only ASCII.
    static func jsonVisible(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x7F }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard scalar.value >= 0x7F, VisibleText.isHidden(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }
}
