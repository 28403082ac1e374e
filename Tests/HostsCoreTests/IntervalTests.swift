import HostsCore
import Testing

/// The one duration grammar (client and generator): what people type parses, nonsense and overflow do not.
@Suite struct IntervalTests {
    @Test(arguments: [
        ("90", 90.0), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("1.5h", 5400), ("1d", 86_400), (" 2M ", 120),
        ("0.2s", 0.2), ("2d", 172_800), ("0.5s", 0.5), ("500ms", 0.5), ("100MS", 0.1), ("1s500ms", 1.5),
        ("1m30s", 90), ("2.5ms", 0.0025), ("1h1ms", 3600.001),
    ])
    func parses(_ text: String, _ seconds: Double) throws {
        #expect(try Interval(parsing: text).seconds == seconds)
    }

    @Test(arguments: [
        "", "5x", "s", "1e20s", "1e300d", "inf", "nan", "-5s", "1..5s", ".", "5 m", "１s", "99999999999999d", "m",
        "five", "ms", "5mss", "5sm", "5 ms", "-500ms",
    ])
    func refuses(_ text: String) {
        #expect(throws: IntervalError.self) { try Interval(parsing: text) }
    }

    /// The hint for what is not a duration shows the grammar, milliseconds included, and every example in it parses.
    @Test func theHintsExamplesAreDurations() throws {
        let hint = IntervalError(text: "5x").description
        #expect(hint == "invalid duration '5x': use e.g. 500ms, 30s, 5m, 1h30m or 1d")
        let examples = try #require(hint.split(separator: "use e.g. ").last)
            .split(separator: ", ").flatMap { $0.split(separator: " or ") }
        #expect(examples.count == 5)
        for example in examples { #expect(throws: Never.self) { try Interval(parsing: String(example)) } }
    }

    @Test func rangeIsCheckedPerUse() throws {
        let week = try Interval(parsing: "7d")
        #expect(try week.checked("every", in: 10...604_800) == week)
        let error = #expect(throws: IntervalError.self) {
            try Interval(parsing: "8d").checked("every", in: 10...604_800)
        }
        #expect(error?.description == "every: duration '8d' is out of range: use 10s to 7d")
    }

    /// Milliseconds meet the same per-use ranges: `500ms` is the `0.5s` it always could be written as.
    @Test func millisecondsAreCheckedLikeAnyDuration() throws {
        #expect(try Interval(parsing: "500ms").checked("--request-timeout", in: 0.1...86_400).seconds == 0.5)
        let error = #expect(throws: IntervalError.self) {
            try Interval(parsing: "50ms").checked("--access-log-flush", in: 0.1...3600)
        }
        #expect(error?.description == "--access-log-flush: duration '0.05s' is out of range: use 0.1s to 1h")
        #expect(try Interval(parsing: "500ms").duration == .milliseconds(500))
    }

    @Test func roundTripsAsText() throws {
        for text in ["10s", "5m", "2h", "3d", "90s"] {
            #expect(try Interval(parsing: text).description == text)
        }
    }
}
