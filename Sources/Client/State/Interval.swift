import Foundation

/// A duration written the way people type it on a command line: `90s`, `5m`, `1h`, `1d`, or plain seconds.
///
/// Stored in config.json as that same text so the file stays readable and hand-editable.
struct Interval: Hashable, Sendable, Codable, CustomStringConvertible {
    var seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init(parsing text: String) throws(IntervalError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last else { throw IntervalError(text: text) }
        var number = Substring(trimmed)
        var multiplier: Double = 1
        if !unit.isNumber {
            switch unit {
            case "s": multiplier = 1
            case "m": multiplier = 60
            case "h": multiplier = 3600
            case "d": multiplier = 86_400
            default: throw IntervalError(text: text)
            }
            number = number.dropLast()
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { throw IntervalError(text: text) }
        seconds = value * multiplier
    }

    var description: String {
        let whole = seconds.rounded()
        if whole == seconds {
            let value = Int(whole)
            if value > 0 && value % 86_400 == 0 { return "\(value / 86_400)d" }
            if value > 0 && value % 3600 == 0 { return "\(value / 3600)h" }
            if value > 0 && value % 60 == 0 { return "\(value / 60)m" }
            return "\(value)s"
        }
        return "\(seconds)s"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            seconds = number
            return
        }
        let text = try container.decode(String.self)
        do {
            self = try Interval(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

struct IntervalError: Error, CustomStringConvertible {
    var text: String
    var description: String { "invalid duration '\(text)': use e.g. 30s, 5m, 1h or 1d" }
}
