import Foundation

extension Hostname {
    /// Turns free text, such as an EC2 tag value, into one valid label.
    ///
    /// - ASCII text: lowercased; every run of characters other than `a-z` and `0-9` (spaces, underscores, dots,
    ///   punctuation) becomes one `-`.
    /// - Text with non-ASCII: mapped as UTS #46 maps it (NFKC, then each character lowercased — not full case
    ///   folding, so `ß` and `ς` stay, as in UTS #46 nontransitional processing; characters that are default
    ///   ignorable, such as a soft hyphen or a zero-width joiner, are dropped); letters, marks and decimal digits
    ///   of every script are kept and every run of anything else becomes one `-`; a label that is still
    ///   non-ASCII is written as its IDNA A-label, `xn--` and the Punycode (RFC 3492). `検品サーバ01` →
    ///   `xn--01-2h4aqevjw84rg13a`, `ＡＢＣ０１` → `abc01`.
    ///
    /// Hyphens at either end are trimmed and the result is cut (whole characters) to 63 bytes. Returns nil when
    /// nothing is left.
    public static func sanitizeLabel(_ text: some StringProtocol) -> String? { sanitizeLabel(text, rules: .strict) }

    /// ``sanitizeLabel(_:)`` under `rules`: ``Rules/permissive`` keeps underscores of an ASCII label where
    /// they are (`db_primary`, `_sip`). A label with non-ASCII letters still turns them into `-`: it becomes an
    /// IDNA A-label, and IDNA 2008 has no underscore (Python's `idna` refuses a label holding one).
    public static func sanitizeLabel(_ text: some StringProtocol, rules: Rules) -> String? {
        if text.utf8.contains(where: { $0 >= 0x80 }) { return unicodeLabel(String(text)) }
        let underscore = rules == .permissive
        var out: [UInt8] = []
        out.reserveCapacity(min(text.utf8.count, maxLabelLength))
        var pendingHyphen = false
        for byte in text.utf8 {
            let lower = (byte >= 0x41 && byte <= 0x5a) ? byte | 0x20 : byte
            if isLabelByte(lower) || (underscore && lower == UInt8(ascii: "_")) {
                if pendingHyphen && !out.isEmpty { out.append(UInt8(ascii: "-")) }
                pendingHyphen = false
                out.append(lower)
            } else {
                pendingHyphen = true
            }
        }
        if out.count > maxLabelLength {
            out.removeSubrange(maxLabelLength...)
            while out.last == UInt8(ascii: "-") { out.removeLast() }
        }
        return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// The UTS #46 mapping and the IDNA A-label of `text` (see ``sanitizeLabel(_:)``).
    private static func unicodeLabel(_ text: String) -> String? {
        // Tags are at most 256 characters; anything longer is cut before the work grows with it.
        let compatible = String(String.UnicodeScalarView(text.unicodeScalars.prefix(1024)))
            .precomposedStringWithCompatibilityMapping
        var lowered = String.UnicodeScalarView()
        for scalar in compatible.unicodeScalars {
            lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        // Lowercasing can leave a sequence that NFKC composes differently (`İ` → `i̇`): normalise once more.
        let normalized = String(lowered).precomposedStringWithCompatibilityMapping
        var scalars: [Unicode.Scalar] = []
        var pendingHyphen = false
        for scalar in normalized.unicodeScalars {
            let properties = scalar.properties
            if properties.isDefaultIgnorableCodePoint { continue }
            let kept: Bool
            if scalar.isASCII {
                kept = isLabelByte(UInt8(scalar.value))
            } else {
                switch properties.generalCategory {
                case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                    .decimalNumber:
                    kept = true
                case .nonspacingMark, .spacingMark, .enclosingMark:
                    // A label may not start with a combining mark (RFC 5891 §5.4).
                    kept = !scalars.isEmpty && !pendingHyphen
                default:
                    kept = false
                }
            }
            if kept {
                if pendingHyphen && !scalars.isEmpty { scalars.append("-") }
                pendingHyphen = false
                scalars.append(scalar)
            } else {
                pendingHyphen = true
            }
        }
        // Cut whole characters until the encoded label fits.
        while !scalars.isEmpty {
            while scalars.last == "-" { scalars.removeLast() }
            guard let label = encodedLabel(scalars) else { return nil }
            if label.utf8.count <= maxLabelLength { return label }
            // A whole character: its marks, then its base.
            while let last = scalars.popLast(), last.properties.generalCategory.isMark {}
        }
        return nil
    }

    /// `scalars` as they are when ASCII, else `xn--` and their Punycode.
    private static func encodedLabel(_ scalars: [Unicode.Scalar]) -> String? {
        if scalars.isEmpty { return nil }
        if scalars.allSatisfy(\.isASCII) { return String(String.UnicodeScalarView(scalars)) }
        return Punycode.encode(scalars).map { "xn--" + $0 }
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isMark: Bool {
        switch self {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }
}
