/// Splits a `credential_process` command line into words the way botocore does (`shlex.split`, POSIX mode): no
/// shell runs, so there is no expansion, globbing or redirection; quotes and backslashes group and escape.
enum ShellWords {
    struct SplitError: Error, CustomStringConvertible {
        var description: String
    }

    static func split(_ text: String) throws(SplitError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                // Inside double quotes a backslash escapes only \ " $ ` and newline; elsewhere any character.
                if quote == "\"" && !"\\\"$`\n".contains(character) { current.append("\\") }
                current.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case ("'", _):
                current.append(character)
            case (_, "\\"):
                escaped = true
                inWord = true
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        if escaped { throw SplitError(description: "the command ends with an escaping backslash") }
        if quote != nil { throw SplitError(description: "the command has an unclosed quote") }
        if inWord { words.append(current) }
        return words
    }
}
