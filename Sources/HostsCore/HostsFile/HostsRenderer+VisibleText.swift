extension HostsRenderer {
    /// `text` as it may stand in a comment root writes into a hosts file: every character that displays as
    /// something else, or as nothing, is written as its code point, `<U+202E>`; the rest is kept as it was.
    ///
    /// Why: comments come from segments (what a server sends) and profile headers. Bidi overrides and isolates
    /// (U+202A–U+202E, U+2066–U+2069) make a comment display in another order than it reads (Trojan source); C1
    /// controls (U+0080–U+009F) are control codes to some terminals (U+009B is CSI); U+0085, U+2028 and U+2029 look
    /// like line breaks in editors, so `# ok<U+2028>10.0.0.1 bank.example` would show an entry no resolver reads;
    /// zero-width and other format characters (U+200B–U+200F, U+FEFF, tag characters U+E0000–U+E007F) hide text.
    /// Escaped rather than dropped, so an admin reading /etc/hosts sees that something was there; rather than
    /// refused, since a comment never changes what a name resolves to (names themselves are ASCII only, the strict
    /// parser refuses anything else).
    ///
    /// Escaped: Unicode's control (Cc), format (Cf), line and paragraph separator (Zl, Zp) characters, tab aside
    /// (hosts lines use it as a blank).
    public static func visible(_ text: String) -> String {
        // Hot path: a 100,000-entry segment's comments are ASCII, which the strict parser already cleaned of controls.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if mustEscape(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
