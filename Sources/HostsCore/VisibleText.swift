/// Outside text (a server's bytes, a segment's line, a file's line, a header) as root may show it: in a comment it
/// writes into a hosts file, or quoted in an error or warning on a terminal or in the journal.
///
/// Every character that displays as something else, or as nothing, is written as its code point, `<U+202E>`; the
/// rest is kept as it was. Why: bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069) make text display in
/// another order than it reads (Trojan source); C0 and C1 controls are commands to terminals (ESC `[2J` clears the
/// screen, U+009B is CSI on some); U+0085, U+2028 and U+2029 look like line breaks in editors, so `# ok<U+2028>10.0.0.1
/// bank.example` would show an entry no resolver reads, and a line break in an error would forge a second line
/// of log; zero-width and other format characters (U+200B–U+200F, U+FEFF, tag characters U+E0000–U+E007F) hide
/// text. Escaped rather than dropped, so whoever reads it sees that something was there; rather than refused,
/// since a comment never changes what a name resolves to (names themselves are ASCII only, the strict parser
/// refuses anything else), and an error must still say what it refused.
///
/// Escaped: Unicode's control (Cc), format (Cf), line and paragraph separator (Zl, Zp) characters, tab aside
/// (hosts lines use it as a blank, and a terminal shows it as one).
public enum VisibleText {
    /// How many characters of outside text an error quotes (``excerpt(_:limit:)``): enough to recognise a line or
    /// a field, never a file's worth in one message.
    public static let excerptLimit = 80

    /// `text` with every character that displays as something else or as nothing written as `<U+XXXX>`.
    public static func escaped(_ text: some StringProtocol) -> String {
        // Hot path: a 100,000-entry segment's comments are ASCII, which the strict parser already cleaned of controls.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 }) { return String(text) }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { append(scalar, to: &out) }
        return out
    }

    /// `text` as an error or warning quotes it: escaped as ``escaped(_:)``, and cut after `limit` characters of
    /// that (an escape is never split), ending in `…`, so that one message never carries a whole line or file of
    /// someone else's bytes.
    public static func excerpt(_ text: some StringProtocol, limit: Int = excerptLimit) -> String {
        var out = ""
        var shown = 0
        for scalar in text.unicodeScalars {
            let before = out.unicodeScalars.count
            append(scalar, to: &out)
            shown += out.unicodeScalars.count - before
            if shown > limit {
                out.unicodeScalars.removeLast(out.unicodeScalars.count - before)
                return out + "…"
            }
        }
        return out
    }

    static func append(_ scalar: Unicode.Scalar, to out: inout String) {
        if isHidden(scalar) {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            out += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }

    /// Whether `scalar` displays as something else or as nothing: what ``escaped(_:)`` writes as its code point
    /// (and JSON output as `\uXXXX`, which keeps the value exact).
    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
