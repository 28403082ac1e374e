/// URLs as they may be shown or written outside the state directory: a password in the userinfo or a token in
/// the query must not reach the world-readable hosts file, a terminal, a log or `--json` output.
///
/// `https://user:pass@host/p?access_token=abc&v=2` becomes `https://***@host/p?access_token=***&v=***`.
enum Redaction {
    static let mask = "***"

    /// One URL, redacted; text without "://" is returned unchanged.
    static func url(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let head = text[..<scheme.upperBound]
        var rest = Substring(text[scheme.upperBound...])
        var result = String(head)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            result += mask + authority[at...]
        } else {
            result += authority
        }
        rest = rest[authorityEnd...]
        let fragmentStart = rest.firstIndex(of: "#") ?? rest.endIndex
        let beforeFragment = rest[..<fragmentStart]
        if let question = beforeFragment.firstIndex(of: "?") {
            result += beforeFragment[...question]
            let query = beforeFragment[beforeFragment.index(after: question)...]
            result += query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                if pair.isEmpty { return "" }
                guard let equals = pair.firstIndex(of: "=") else { return mask }
                return pair[...equals] + (pair[pair.index(after: equals)...].isEmpty ? "" : mask)
            }.joined(separator: "&")
        } else {
            result += beforeFragment
        }
        if fragmentStart < rest.endIndex { result += "#" + mask }
        return result
    }

    /// Every URL in free text (an error message, a status line, JSON, a 100,000-line segment shown by `show`)
    /// redacted, in one pass over the bytes.
    static func urls(in text: String) -> String {
        let bytes = Array(text.utf8)
        let count = bytes.count
        var output: [UInt8] = []
        var copied = 0
        var index = 0
        while index + 2 < count {
            guard bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "/"),
                bytes[index + 2] == UInt8(ascii: "/")
            else {
                index += 1
                continue
            }
            var start = index
            while start > copied, isSchemeByte(bytes[start - 1]) { start -= 1 }
            var end = index + 3
            while end < count, !isTerminator(bytes[end]) { end += 1 }
            // Sentence punctuation right after a URL is not part of it.
            while end > index + 3, trailing.contains(bytes[end - 1]) { end -= 1 }
            if start < index {
                if output.isEmpty { output.reserveCapacity(count) }
                output += bytes[copied..<start]
                output += Array(url(String(decoding: bytes[start..<end], as: UTF8.self)).utf8)
                copied = end
            }
            index = end
        }
        if copied == 0 { return text }
        output += bytes[copied...]
        return String(decoding: output, as: UTF8.self)
    }

    private static let trailing = Set(".,;:)]".utf8)
    private static let terminators = Set("\"'<>`\\".utf8)

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func isTerminator(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x7F || terminators.contains(byte)
    }
}
