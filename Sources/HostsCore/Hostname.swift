/// A host name as RFC 1123 allows it, stored lowercase.
///
/// Rules, decided once for every part of PseudoDNS:
/// - Labels are 1–63 letters, digits or hyphens, neither starting nor ending with a hyphen; the whole
///   name is at most 253 characters.
/// - Names are case-insensitive and kept lowercase, so `Web1` and `web1` are the same name.
/// - One trailing dot (the fully-qualified form, `db.example.com.`) is accepted and dropped: both
///   spellings name the same host, and keeping one form makes conflicts detectable.
/// - Underscores depend on the ``Rules``: ``Rules/strict`` (RFC 1123, the default) rejects them,
///   ``Rules/permissive`` allows them anywhere a letter may stand (`db_primary`, `_sip._tcp`).
/// - Non-ASCII is rejected: internationalised names must be written in their `xn--` form (``sanitizeLabel(_:)``
///   makes that form from tag values).
/// - A name made only of digits and dots is rejected, since resolvers read it as an address.
public struct Hostname: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let maxLength = 253
    public static let maxLabelLength = 63

    /// The name, lowercase, without a trailing dot.
    public let value: String

    public init(validating text: some StringProtocol, rules: Rules = .strict) throws(HostnameError) {
        let utf8 = Array(text.utf8)
        self = try utf8.withUnsafeBufferPointer { buffer throws(HostnameError) in
            try Hostname(bytes: buffer, rules: rules)
        }
    }

    public init?(_ text: some StringProtocol, rules: Rules = .strict) {
        guard let name = try? Hostname(validating: text, rules: rules) else { return nil }
        self = name
    }

    /// Validates raw UTF-8 bytes; the strict parser's hot path.
    init(bytes: UnsafeBufferPointer<UInt8>, rules: Rules) throws(HostnameError) {
        func fail(_ reason: String) -> HostnameError {
            HostnameError(text: String(decoding: bytes, as: UTF8.self), reason: reason)
        }
        var count = bytes.count
        if count > 0, bytes[count - 1] == UInt8(ascii: ".") { count -= 1 }
        guard count > 0 else { throw fail("empty name") }
        guard count <= Self.maxLength else { throw fail("longer than \(Self.maxLength) characters") }
        var labelLength = 0
        var previous: UInt8 = UInt8(ascii: ".")
        var onlyDigitsAndDots = true
        var hasUpper = false
        for i in 0..<count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                onlyDigitsAndDots = false
                labelLength += 1
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                onlyDigitsAndDots = false
                hasUpper = true
                labelLength += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                labelLength += 1
            case UInt8(ascii: "-"):
                onlyDigitsAndDots = false
                if previous == UInt8(ascii: ".") { throw fail("a label cannot start with '-'") }
                labelLength += 1
            case UInt8(ascii: "."):
                if previous == UInt8(ascii: ".") { throw fail("empty label") }
                if previous == UInt8(ascii: "-") { throw fail("a label cannot end with '-'") }
                labelLength = 0
            case UInt8(ascii: "_"):
                guard rules == .permissive else {
                    throw fail("'_' is not allowed in host names (strict hostname rules)")
                }
                onlyDigitsAndDots = false
                labelLength += 1
            case 0x80...:
                throw fail("non-ASCII character (write internationalised names in their xn-- form)")
            default:
                throw fail(
                    "character '\(VisibleText.escaped(String(Unicode.Scalar(byte))))' is not allowed in host names")
            }
            if labelLength > Self.maxLabelLength { throw fail("a label is longer than \(Self.maxLabelLength)") }
            previous = byte
        }
        if previous == UInt8(ascii: "-") { throw fail("a label cannot end with '-'") }
        if previous == UInt8(ascii: ".") { throw fail("empty label") }
        if onlyDigitsAndDots { throw fail("looks like an address, not a name") }
        let kept = UnsafeBufferPointer(rebasing: bytes[0..<count])
        if hasUpper {
            value = String(decoding: kept.map { $0 | (($0 >= 0x41 && $0 <= 0x5a) ? 0x20 : 0) }, as: UTF8.self)
        } else {
            value = String(decoding: kept, as: UTF8.self)
        }
    }

    public var description: String { value }

    public static func < (lhs: Hostname, rhs: Hostname) -> Bool { lhs.value < rhs.value }
}

/// Why a piece of text is not a host name.
public struct HostnameError: Error, CustomStringConvertible, Sendable, Equatable {
    public var text: String
    public var reason: String

    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }

    public var description: String { "invalid hostname '\(VisibleText.excerpt(text))': \(reason)" }
}
