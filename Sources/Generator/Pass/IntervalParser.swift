/// Parses `--every` values: `90` (seconds), `30s`, `5m`, `1h`, or combinations such as `1h30m`.
enum IntervalParser {
    struct ParseError: Error, CustomStringConvertible {
        var text: String
        var description: String { "'\(text)' is not an interval (examples: 30s, 5m, 1h30m)" }
    }

    static func seconds(_ text: String) throws(ParseError) -> Double {
        if let plain = Double(text), plain > 0 { return plain }
        var total = 0.0
        var digits = ""
        for character in text {
            if character.isNumber || character == "." {
                digits.append(character)
                continue
            }
            guard let value = Double(digits) else { throw ParseError(text: text) }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: throw ParseError(text: text)
            }
            digits = ""
        }
        guard digits.isEmpty, total > 0 else { throw ParseError(text: text) }
        return total
    }
}
