import Foundation
import HostsCore

/// The sane range of every duration and size the client takes, checked where a value enters (command line,
/// `config`, config.json): a value outside one is refused with the range, never clamped, never crashing later.
enum SettingRanges {
    /// `--timeout` / `config timeout`: the deadline of one whole fetch.
    static let timeout: ClosedRange<Double> = 1...3600
    /// `--every` of a segment and of `watch`.
    static let every: ClosedRange<Double> = 10...(7 * 86_400)
    /// `--max-age` of a signed segment.
    static let maxAge: ClosedRange<Double> = 60...Interval.longest
    /// `config max-bytes`.
    static let maxBytes: ClosedRange<Int> = 1024...(1 << 30)
    /// `config keep-backups`.
    static let keepBackups: ClosedRange<Int> = 1...1000

    static func timeout(_ text: String, what: String = "--timeout") throws(IntervalError) -> Interval {
        try Interval(parsing: text).checked(what, in: timeout)
    }

    static func every(_ text: String, what: String = "--every") throws(IntervalError) -> Interval {
        try Interval(parsing: text).checked(what, in: every)
    }

    static func maxAge(_ text: String) throws(IntervalError) -> Interval {
        try Interval(parsing: text).checked("--max-age", in: maxAge)
    }

    /// A whole number in `range`, written plainly or with a K/M/G (binary) suffix for sizes.
    static func count(_ text: String, _ what: String, in range: ClosedRange<Int>, sizes: Bool = false)
        throws(UsageError)
        -> Int
    {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        var digits = Substring(trimmed)
        var shift = 0
        if sizes, let unit = digits.last, let power = ["K": 10, "M": 20, "G": 30][String(unit)] {
            shift = power
            digits = digits.dropLast()
            if digits.hasSuffix("I") { digits = digits.dropLast() }
        }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), let number = Int(digits),
            number >= 0
        else {
            throw UsageError("\(what) must be a whole number\(sizes ? " of bytes (e.g. 8M)" : ""), not '\(text)'")
        }
        let value = number << shift
        guard range.contains(value), value >> shift == number else {
            throw UsageError(
                "\(what) \(text) is out of range: use \(describe(range.lowerBound, sizes)) to \(describe(range.upperBound, sizes))"
            )
        }
        return value
    }

    private static func describe(_ value: Int, _ sizes: Bool) -> String {
        sizes ? ByteCount.describe(value) : "\(value)"
    }
}

/// A command-line or config value the client refuses; exits 64 (EX_USAGE), like ArgumentParser's own errors.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
