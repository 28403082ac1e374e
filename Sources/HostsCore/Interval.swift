import Foundation

/// A duration written the way people type it on a command line: `90` (seconds), `500ms`, `30s`, `5m`, `1.5h`,
/// `1d`, or a sum such as `1h30m`. The one duration grammar of every PseudoDNS program.
///
/// Stored in JSON as that same text so config files stay readable and hand-editable. Parsing only checks the
/// grammar; each use checks its own sane range with ``checked(_:in:)``, because a value such as `1e20s` is
/// grammatical nonsense for a timer (it overflows every clock type) and must fail at parse time, not at use.
public struct Interval: Hashable, Sendable, Codable, CustomStringConvertible {
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }

    /// No duration PseudoDNS takes is longer than a year; larger numbers are typos or attacks.
    public static let longest: Double = 366 * 86_400

    /// Parses the grammar (digits with an optional fraction, each followed by ms, s, m, h or d; a bare number is
    /// seconds). Exponents, signs, `inf` and `nan` are not durations. `ms` is one unit: `m` followed by `s` was
    /// an error before (a unit without digits), so no duration that parsed changes meaning.
    public init(parsing text: String) throws(IntervalError) {
        let trimmed = Array(text.trimmingCharacters(in: .whitespaces).lowercased())
        guard !trimmed.isEmpty, trimmed.count <= 32 else { throw IntervalError(text: text) }
        var total = 0.0
        var digits = ""
        var index = 0
        while index < trimmed.count {
            let character = trimmed[index]
            index += 1
            if character.isASCII && (character.isNumber || character == ".") {
                digits.append(character)
                continue
            }
            // Seconds per unit, and per unit divided: a millisecond is divided by 1000 (exact for 500ms, where
            // multiplying by 0.001 is not).
            let (multiplier, divisor): (Double, Double)
            switch character {
            case "m" where index < trimmed.count && trimmed[index] == "s":
                index += 1
                (multiplier, divisor) = (1, 1000)
            case "s": (multiplier, divisor) = (1, 1)
            case "m": (multiplier, divisor) = (60, 1)
            case "h": (multiplier, divisor) = (3600, 1)
            case "d": (multiplier, divisor) = (86_400, 1)
            default: throw IntervalError(text: text)
            }
            guard let value = Self.number(digits) else { throw IntervalError(text: text) }
            total += value * multiplier / divisor
            digits = ""
        }
        if !digits.isEmpty {
            guard let value = Self.number(digits) else { throw IntervalError(text: text) }
            total += value
        }
        guard total.isFinite, total <= Self.longest else { throw IntervalError(text: text, range: 0...Self.longest) }
        seconds = total
    }

    private static func number(_ digits: String) -> Double? {
        guard !digits.isEmpty, digits.filter({ $0 == "." }).count <= 1, digits != "." else { return nil }
        return Double(digits)
    }

    /// `self` when it lies in `range`, else an error that names what it is for and the range.
    public func checked(_ what: String, in range: ClosedRange<Double>) throws(IntervalError) -> Interval {
        guard range.contains(seconds) else {
            throw IntervalError(text: description, what: what, range: range)
        }
        return self
    }

    /// `Duration` for sleeping; only meaningful for checked values (every range is far below overflow).
    public var duration: Duration { .milliseconds(Int64((seconds * 1000).rounded())) }

    public var description: String {
        let whole = seconds.rounded()
        if whole == seconds, whole < 1e15 {
            let value = Int(whole)
            if value > 0 && value % 86_400 == 0 { return "\(value / 86_400)d" }
            if value > 0 && value % 3600 == 0 { return "\(value / 3600)h" }
            if value > 0 && value % 60 == 0 { return "\(value / 60)m" }
            return "\(value)s"
        }
        return "\(seconds)s"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            guard number.isFinite, number >= 0, number <= Self.longest else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: IntervalError(text: "\(number)", range: 0...Self.longest).description)
            }
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

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A duration that is not one, or not one this use accepts.
public struct IntervalError: Error, CustomStringConvertible, Equatable {
    public var text: String
    /// What the value was for (`--timeout`, `every`), when the range check failed.
    public var what: String?
    public var range: ClosedRange<Double>?

    public init(text: String, what: String? = nil, range: ClosedRange<Double>? = nil) {
        self.text = text
        self.what = what
        self.range = range
    }

    public var description: String {
        let subject = what.map { "\($0): " } ?? ""
        let quoted = VisibleText.excerpt(text)
        guard let range else { return "\(subject)invalid duration '\(quoted)': use e.g. 500ms, 30s, 5m, 1h30m or 1d" }
        return "\(subject)duration '\(quoted)' is out of range: use \(Interval(seconds: range.lowerBound)) to "
            + "\(Interval(seconds: range.upperBound))"
    }
}
