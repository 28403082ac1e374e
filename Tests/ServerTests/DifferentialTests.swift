import Foundation
import HostsCore
import TestSupport
import Testing

/// The fast path checked against the full stack: the same seeded requests — valid and malformed methods,
/// targets, versions, header shapes, pipelines, sent in pieces split anywhere — go over loopback to one server
/// with the fast path and one without (`--no-fast-path`), and every answer must be the same bytes but for the
/// Date header's value: status, headers (names, values, order), framing and body.
///
/// `PSEUDODNS_DIFFERENTIAL_CASES` sets the number of cases (`make fuzz` runs many), `PSEUDODNS_DIFFERENTIAL_SEED`
/// the seed (printed on every run, so a failure can be replayed).
@Suite struct DifferentialTests {
    static let token = "s3cret"

    /// Both servers on the same published directory (with an index, so Last-Modified is the same on both).
    private struct Pair {
        let fixture: PublishedFixture
        let tokens: String
        let fast: HostsServerProcess
        let full: HostsServerProcess

        init() async throws {
            let fixture = try PublishedFixture()
            let office = SampleProfiles.office
            let big = SampleProfiles.large(400)
            try fixture.publish("office.hosts", office)
            try fixture.publish("big.hosts", big)
            let records = [("office", office), ("big", big)].map { name, text in
                ProfileRecord(
                    name: name, sha256: sha256Hex(Array(text.utf8)), bytes: text.utf8.count, entries: 0,
                    generatedAt: Date(timeIntervalSince1970: 1_700_000_000),
                    changedAt: Date(timeIntervalSince1970: 1_600_000_000))
            }
            try fixture.publish(
                "index.json", String(decoding: try ProfileIndex(profiles: records).encoded(), as: UTF8.self))
            let tokens = fixture.path + ".tokens"
            try Data("\(DifferentialTests.token)\n".utf8).write(to: URL(fileURLWithPath: tokens))
            self.fixture = fixture
            self.tokens = tokens
            let common = ["--token-file", tokens, "--idle-timeout", "5", "--request-timeout", "5"]
            (fast, full) = try await offThePool {
                (
                    try HostsServerProcess(directory: fixture.path, extraArguments: common),
                    try HostsServerProcess(directory: fixture.path, extraArguments: common + ["--no-fast-path"])
                )
            }
        }

        func stop() {
            fast.stop()
            full.stop()
            fixture.remove()
            try? FileManager.default.removeItem(atPath: tokens)
        }

        /// The answers of both servers to the same pieces, Date values blanked.
        func answers(_ pieces: [[UInt8]], pause: Int) async throws -> (fast: String, full: String) {
            async let fastRaw = Self.exchange(pieces, pause: pause, port: fast.port)
            async let fullRaw = Self.exchange(pieces, pause: pause, port: full.port)
            return (Self.normalized(try await fastRaw), Self.normalized(try await fullRaw))
        }

        private static func exchange(_ pieces: [[UInt8]], pause: Int, port: Int) async throws -> [UInt8] {
            try await RawHTTPClient.exchange(pieces: pieces, pauseMilliseconds: pause, port: port, timeoutSeconds: 8)
        }

        /// The bytes as text, with every `Date:` line's value replaced (the two servers may answer in different
        /// seconds).
        static func normalized(_ raw: [UInt8]) -> String {
            let text = String(decoding: raw, as: UTF8.self)
            return text.split(separator: "\r\n", omittingEmptySubsequences: false).map { line in
                line.lowercased().hasPrefix("date:") ? "Date: -" : String(line)
            }.joined(separator: "\r\n")
        }
    }

    static var caseCount: Int {
        ProcessInfo.processInfo.environment["PSEUDODNS_DIFFERENTIAL_CASES"].flatMap(Int.init) ?? 150
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["PSEUDODNS_DIFFERENTIAL_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64.max)
    }

    @Test func bothPathsGiveTheSameAnswers() async throws {
        let pair = try await Pair()
        defer { pair.stop() }
        let seed = Self.seed
        let count = Self.caseCount
        print("DifferentialTests: seed \(seed), \(count) cases (PSEUDODNS_DIFFERENTIAL_SEED=\(seed) to replay)")
        var generator = RequestGenerator(seed: seed)
        var mismatches = 0
        for index in 0..<count {
            let requests = generator.pipeline()
            let bytes = Array(requests.utf8)
            let pieces = generator.split(bytes)
            let (fast, full) = try await pair.answers(pieces, pause: 2)
            if fast != full {
                mismatches += 1
                Issue.record(
                    """
                    seed \(seed), case \(index): the paths differ for \(requests.debugDescription) \
                    sent as \(pieces.map(\.count))
                    fast path: \(fast.debugDescription)
                    full stack: \(full.debugDescription)
                    """)
                if mismatches >= 3 { break }
            }
        }
    }

    /// One request sent in two pieces split at every byte, and a pipeline of a poll and another request split
    /// the same way: the answers never depend on where the bytes were cut.
    @Test func splitsAtEveryByteGiveTheSameAnswers() async throws {
        let pair = try await Pair()
        defer { pair.stop() }
        let poll = "GET /profiles/office HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer \(Self.token)\r\n\r\n"
        let texts = [
            poll + "GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            "GET /profiles/office HTTP/1.1\nHost: h\n\n",
        ]
        for text in texts {
            let bytes = Array(text.utf8)
            let whole = try await pair.answers([bytes], pause: 0)
            #expect(whole.fast == whole.full)
            for cut in 1..<bytes.count {
                let (fast, full) = try await pair.answers([Array(bytes[..<cut]), Array(bytes[cut...])], pause: 2)
                #expect(fast == whole.fast, "\(text.debugDescription) cut at \(cut)")
                #expect(full == whole.fast, "\(text.debugDescription) cut at \(cut)")
            }
        }
    }
}

/// A seeded generator of HTTP/1.x request pipelines, mostly plausible, often broken in one place.
struct RequestGenerator {
    private var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    private mutating func below(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    private mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    private mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    /// One to four requests; the connection ends with a request that asks to close it (when nothing before
    /// closed it), so every exchange ends without waiting for a timeout.
    mutating func pipeline() -> String {
        var text = ""
        for _ in 0..<(1 + below(4)) { text += request() }
        return text + "GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
    }

    mutating func request() -> String {
        let method =
            chance(75)
            ? pick(["GET", "GET", "HEAD"])
            : pick(["POST", "PUT", "OPTIONS", "DELETE", "get", "G@T", "CONNECT", "TRACE"])
        var target = pick([
            "/profiles/office", "/profiles/office", "/profiles/big", "/profiles/office.sig", "/profiles",
            "/profiles/", "/profiles/none", "/", "/healthz", "/profiles/office?x=1", "/profiles/../office",
            "/profiles/%6ffice", "http://h/profiles/office", "*", "/profiles/off ice", "profiles", "/profiles/\u{7F}",
        ])
        if method == "CONNECT" { target = "h:443" }
        let version =
            chance(85)
            ? pick(["HTTP/1.1", "HTTP/1.1", "HTTP/1.0"]) : pick(["HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.1 ", ""])
        var lines = [version.isEmpty ? "\(method) \(target)" : "\(method) \(target) \(version)"]
        var body = ""
        if !(version == "HTTP/1.0" && chance(50)) {
            lines.append(
                chance(92) ? "Host: h" : pick(["Host: a b", "Host: [::1", "Host: h\r\nHost: h", "Host: h:x1"]))
        }
        if chance(85) {
            lines.append(
                chance(90) ? "Authorization: Bearer \(DifferentialTests.token)" : "Authorization: Bearer wrong")
        }
        if chance(30) {
            lines.append(pick(["Accept-Encoding: gzip", "Accept-Encoding: gzip;q=0", "accept-encoding: *"]))
        }
        if chance(20) {
            lines.append(
                pick([
                    "If-None-Match: \"\(sha256Hex(Array(SampleProfiles.office.utf8)))\"", "If-None-Match: *",
                    "If-Modified-Since: Sun, 13 Sep 2020 12:26:40 GMT",
                    "If-Modified-Since: Sat, 31 Feb 2099 00:00:00 GMT",
                    "If-Match: \"nope\"", "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT",
                ]))
        }
        if chance(15) { lines.append(pick(["Connection: keep-alive", "Connection: close", "Connection: Upgrade"])) }
        if chance(10) { lines.append("Upgrade: h2c") }
        if chance(10) {
            lines.append(pick(["X-Pad: \(String(repeating: "a", count: below(200)))", "X-Empty:", "x-Tab:\tv"]))
        }
        if chance(8) {
            switch below(4) {
            case 0:
                body = pick(["", "abc"])
                lines.append("Content-Length: \(body.utf8.count)")
            case 1:
                body = "3\r\nabc\r\n0\r\n\r\n"
                lines.append("Transfer-Encoding: chunked")
            case 2: lines.append(pick(["Transfer-Encoding: xchunked", "Transfer-Encoding: gzip, chunked"]))
            default: lines.append(pick(["Content-Length: 2, 3", "Content-Length: x"]))
            }
        }
        if chance(5) {
            lines.append(pick(["Bad Header: x", "X-Fold: a\r\n b", ": empty", "X-Ctl: a\u{01}b", "X-Bare: a\rb"]))
        }
        var text = lines.joined(separator: "\r\n") + "\r\n\r\n" + body
        if chance(4) { text = text.replacingOccurrences(of: "\r\n", with: "\n") }
        if chance(3) { text = "\r\n" + text }
        return text
    }

    /// The bytes cut into one to five pieces at random places.
    mutating func split(_ bytes: [UInt8]) -> [[UInt8]] {
        guard bytes.count > 1 else { return [bytes] }
        let cuts = Set((0..<below(5)).map { _ in 1 + below(bytes.count - 1) }).sorted()
        var pieces: [[UInt8]] = []
        var start = 0
        for cut in cuts {
            pieces.append(Array(bytes[start..<cut]))
            start = cut
        }
        pieces.append(Array(bytes[start...]))
        return pieces
    }
}
