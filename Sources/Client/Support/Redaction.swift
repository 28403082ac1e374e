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

    /// Every URL in free text (an error message, a status line, JSON) redacted; cheap when there is none.
    static func urls(in text: String) -> String {
        guard text.contains("://") else { return text }
        var output = ""
        var remaining = Substring(text)
        while let separator = remaining.range(of: "://") {
            // The scheme: letters, digits, + - . right before "://".
            var start = separator.lowerBound
            while start > remaining.startIndex {
                let previous = remaining.index(before: start)
                let character = remaining[previous]
                guard character.isASCII, character.isLetter || character.isNumber || "+-.".contains(character)
                else { break }
                start = previous
            }
            var end = separator.upperBound
            while end < remaining.endIndex, !isTerminator(remaining[end]) { end = remaining.index(after: end) }
            // Sentence punctuation right after a URL is not part of it.
            while end > separator.upperBound, ".,;:)]".contains(remaining[remaining.index(before: end)]) {
                end = remaining.index(before: end)
            }
            output += remaining[..<start]
            output +=
                start == separator.lowerBound ? String(remaining[start..<end]) : url(String(remaining[start..<end]))
            remaining = remaining[end...]
        }
        return output + remaining
    }

    private static func isTerminator(_ character: Character) -> Bool {
        character.isWhitespace || "\"'<>`\\".contains(character)
    }
}
