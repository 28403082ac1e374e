import Foundation
import NIOCore
import TestSupport
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

/// The access log of the real binary, read from its standard output: what each line holds, when it is
/// written (the flush interval, a full buffer, shutdown), and that a destination that fails or blocks costs
/// log lines, never the server.
@Suite struct AccessLogTests {
    /// 200, 304, 404, 401 (fast path), 200 (Hummingbird) and a 400 from the request-head check.
    @Test func eachAnswerGetsALineWithItsFields() async throws {
        let run = try await LoggedServer.start(tokens: true)
        defer { run.remove() }
        let port = run.server.port
        let granted = [("Authorization", "Bearer \(LoggedServer.token)")]
        let full = try await run.request("/profiles/office", headers: granted)
        #expect(full.status == 200)
        let etag = try #require(full.header("ETag"))
        let notModified = try await run.request("/profiles/office", headers: granted + [("If-None-Match", etag)])
        #expect(notModified.status == 304)
        #expect(
            try await run.request("/profiles/nothing", method: "HEAD", headers: granted).status == 404)
        #expect(try await run.request("/profiles/office").status == 401)
        // Through the full HTTP stack rather than the fast path: the same line.
        #expect(try await run.request("/metrics?x=1", headers: granted).status == 200)
        // HTTP/1.1 without Host: refused before any route, logged all the same.
        let refused = try RawHTTPClient.parse(
            try await RawHTTPClient.exchange(
                Array("GET /profiles/office HTTP/1.1\r\n\r\n".utf8), port: port, timeoutSeconds: LoggedServer.patience))
        #expect(refused.status == 400)

        let lines = try await run.waitForLines(6)
        #expect(lines.count == 6, "\(lines)")
        let fields = lines.map(LoggedServer.logfmt)
        // Body bytes, as nginx's $body_bytes_sent: none for a 304 or a HEAD; "a bearer token is required\n".
        let expected: [(method: String, path: String, status: String, bytes: String?)] = [
            ("GET", "/profiles/office", "200", "\(full.body.count)"), ("GET", "/profiles/office", "304", "0"),
            ("HEAD", "/profiles/nothing", "404", "0"), ("GET", "/profiles/office", "401", "27"),
            ("GET", "/metrics", "200", nil), ("GET", "/profiles/office", "400", "\(refused.body.count)"),
        ]
        for (line, want) in zip(fields, expected) {
            #expect(line["method"] == want.method, "\(line)")
            #expect(line["path"] == want.path, "\(line)")
            #expect(line["status"] == want.status, "\(line)")
            if let bytes = want.bytes { #expect(line["bytes"] == bytes, "\(line)") }
            #expect(line["remote"]?.hasPrefix("127.0.0.1:") == true, "\(line)")
            #expect(Int(line["duration_us"] ?? "") != nil, "\(line)")
            #expect(line["time"].flatMap { try? Date($0, strategy: .iso8601) } != nil, "\(line)")
        }
        #expect(Int(fields.count > 4 ? fields[4]["bytes"] ?? "" : "") ?? 0 > 0, "/metrics has a body")
    }

    @Test func jsonLinesParseWithTypedFields() async throws {
        let run = try await LoggedServer.start(arguments: ["--access-log-format", "json"])
        defer { run.remove() }
        let port = run.server.port
        #expect(try await run.request("/profiles/office").status == 200)
        #expect(try await run.request("/profiles/%22x%22").status == 404)

        let lines = try await run.waitForLines(2)
        #expect(lines.count == 2, "\(lines)")
        let objects = try lines.map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
        let first = try #require(objects.first)
        #expect(first["method"] as? String == "GET")
        #expect(first["path"] as? String == "/profiles/office")
        #expect(first["status"] as? Int == 200)
        #expect(first["bytes"] as? Int == SampleProfiles.office.utf8.count)
        #expect(first["duration_us"] is Int)
        #expect((first["remote"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect((first["time"] as? String).flatMap { try? Date($0, strategy: .iso8601) } != nil)
        #expect(objects.last?["path"] as? String == "/profiles/%22x%22")
        #expect(objects.last?["status"] as? Int == 404)
    }

    /// A path is the client's bytes: quotes, backslashes, spaces, control and non-ASCII bytes cannot forge a
    /// field or a line, or break the JSON.
    @Test(arguments: AccessLogFormat.allCases)
    func aHostilePathStaysInsideItsField(_ format: AccessLogFormat) throws {
        var hostile = Array("/a\"b\\c d\te".utf8)
        hostile += [0x0A, 0x0D, 0x00, 0x7F, 0xC3, 0xA9, 0xFF]
        hostile += Array(" status=999\n{\"x\":1}".utf8)
        let path = Substring(String(decoding: hostile, as: UTF8.self))
        var buffer: [UInt8] = []
        AccessLogLine.append(
            to: &buffer, format: format, time: Array("2026-12-01T12:00:00Z".utf8),
            remote: try SocketAddress(ipAddress: "2001:db8::5", port: 443), method: "GET", path: path, status: 200,
            bytes: 12, micros: 34)
        #expect(buffer.last == 0x0A)
        #expect(buffer.dropLast().allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "one line of printable ASCII")
        let line = String(decoding: buffer.dropLast(), as: UTF8.self)
        switch format {
        case .text:
            #expect(
                line
                    == #"time=2026-12-01T12:00:00Z remote=[2001:db8::5]:443 method=GET "#
                    + #"path=/a\x22b\x5cc\x20d\x09e\x0a\x0d\x00\x7f\xc3\xa9\xef\xbf\xbd\x20status=999\x0a{\x22x\x22:1} "#
                    + "status=200 bytes=12 duration_us=34")
        case .json:
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["status"] as? Int == 200)
            #expect(object["remote"] as? String == "[2001:db8::5]:443")
            #expect((object["path"] as? String)?.hasPrefix("/a\"b\\c d\te\n\r\u{0}\u{7f}") == true)
            #expect(object.count == 7)
        }
    }

    @Test func aLineIsWrittenWithinTheFlushIntervalWhileTheServerRuns() async throws {
        let run = try await LoggedServer.start()
        defer { run.remove() }
        #expect(try await run.request("/profiles/office").status == 200)
        // One line is far from the 32 KiB buffer, and the server keeps running: only the timed flush (1 s by
        // default) writes it. The wait is a bound on a stuck writer, not a speed goal.
        let lines = try await run.waitForLines(1)
        #expect(lines.count == 1)
        #expect(run.server.isRunning)
    }

    @Test func aFullBufferIsWrittenBeforeTheFlushInterval() async throws {
        let run = try await LoggedServer.start(arguments: ["--access-log-flush", "600"])
        defer { run.remove() }
        // 200 requests of ~250 bytes a line: more than the 32 KiB buffer, written long before 600 s.
        let path = "/profiles/" + String(repeating: "n", count: 100)
        let requests = String(repeating: "GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n", count: 199)
        _ = try await RawHTTPClient.exchange(
            Array((requests + "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").utf8),
            port: run.server.port, timeoutSeconds: LoggedServer.patience)
        let lines = try await run.waitForLines(100)
        #expect(lines.count >= 100, "only \(lines.count) lines written")
        #expect(lines.allSatisfy { $0.contains("status=404") })
    }

    @Test func gracefulShutdownWritesEveryWaitingLine() async throws {
        let run = try await LoggedServer.start(arguments: ["--access-log-flush", "600"])
        defer { run.remove() }
        for _ in 0..<20 {
            #expect(try await run.request("/profiles/office").status == 200)
        }
        #expect(try run.lines().isEmpty, "nothing written before the buffer fills, the 600 s or the exit")
        run.server.terminate()
        let status = try await offThePool { run.server.waitForExit() }
        #expect(status == 0)
        let lines = try run.lines()
        #expect(lines.count == 20, "\(lines.count) lines after SIGTERM")
        #expect(lines.allSatisfy { $0.contains("path=/profiles/office status=200") })
    }

    @Test(arguments: Destination.allCases)
    func aFailingDestinationCostsLinesNotTheServer(_ destination: Destination) async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        let scratch = try PublishedFixture()
        defer { scratch.remove() }
        let output = try destination.open()
        defer { output.close() }
        let logFile = scratch.path + "/server.log"
        let server = try await offThePool {
            try HostsServerProcess(
                directory: fixture.path, logFile: logFile, accessLog: true, standardOutput: output.handle)
        }
        defer { server.stop() }
        let port = server.port
        // Enough lines to fill the buffer and a stuck pipe's 64 KiB many times over, over 2 s so that
        // flushes happen too; every answer comes (a server stuck behind its log would leave a round without
        // a byte for the 120 s the socket waits).
        let requests = String(repeating: "GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n", count: 999)
        for round in 0..<4 {
            let raw = try await RawHTTPClient.exchange(
                Array((requests + "GET /profiles/office HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").utf8),
                port: port, timeoutSeconds: LoggedServer.patience)
            let answers = try RawHTTPClient.parseAll(raw, methods: Array(repeating: "GET", count: 1000))
            #expect(answers.count == 1000 && answers.allSatisfy { $0.status == 200 }, "round \(round)")
            try await Task.sleep(for: .milliseconds(600))
        }
        #expect(server.isRunning, "hosts-server ended: \(server.terminationDescription)")
        if destination != .stuckPipe {
            let failed = await eventually(seconds: Double(LoggedServer.patience)) {
                let metrics = try? await RawHTTPClient.request(
                    "GET", "/metrics", port: port, timeoutSeconds: LoggedServer.patience
                ).text
                return (metrics?.contains("hosts_server_access_log_write_errors_total 0") == false)
            }
            #expect(failed, "the failed writes are counted")
        }
        #expect(
            try await RawHTTPClient.request("GET", "/healthz", port: port, timeoutSeconds: LoggedServer.patience).status
                == 200)
        // And it still exits: a stuck destination holds the exit at most the writer's 5 s (without that bound it
        // would hold it for ever), and says what it left unwritten.
        server.terminate()
        let exited = await eventually(seconds: Double(LoggedServer.patience)) { !server.isRunning }
        #expect(exited, "hosts-server still running after SIGTERM")
        let status = try await offThePool { server.waitForExit() }
        #expect(status == 0)
        if destination == .stuckPipe {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            #expect(log.contains("destination blocked at exit"), "\(log)")
        }
    }

    enum Destination: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// Every write fails with ENOSPC.
        case fullDevice
        /// Nobody will ever read: every write fails with EPIPE (and raises SIGPIPE).
        case closedPipe
        /// A pipe nobody reads: once its buffer is full, the writer blocks.
        case stuckPipe

        var testDescription: String { rawValue }

        func open() throws -> (handle: FileHandle, close: @Sendable () -> Void) {
            switch self {
            case .fullDevice:
                let handle = try #require(FileHandle(forWritingAtPath: "/dev/full"))
                return (handle, { try? handle.close() })
            case .closedPipe:
                let pipe = Pipe()
                try pipe.fileHandleForReading.close()
                return (pipe.fileHandleForWriting, { try? pipe.fileHandleForWriting.close() })
            case .stuckPipe:
                let pipe = Pipe()
                return (
                    pipe.fileHandleForWriting,
                    {
                        try? pipe.fileHandleForWriting.close()
                        try? pipe.fileHandleForReading.close()
                    }
                )
            }
        }
    }
}

/// hosts-server with its access log on and its standard output in a file.
private struct LoggedServer: Sendable {
    static let token = "log-test-token"
    /// Seconds any wait here may take before the test fails: a bound on a stuck server, never a speed goal.
    static let patience = 120
    let fixture: PublishedFixture
    let secrets: PublishedFixture
    let output: String
    let server: HostsServerProcess

    static func start(tokens: Bool = false, arguments: [String] = []) async throws -> LoggedServer {
        let fixture = try PublishedFixture()
        let secrets = try PublishedFixture()
        try fixture.publish("office.hosts", SampleProfiles.office)
        try secrets.publish("tokens", token + "\n")
        let output = secrets.path + "/access.log"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: output))
        var extra = arguments
        if tokens { extra += ["--token-file", secrets.path + "/tokens"] }
        let serverArguments = extra
        let server = try await offThePool {
            try HostsServerProcess(
                directory: fixture.path, extraArguments: serverArguments, accessLog: true, standardOutput: handle)
        }
        try handle.close()
        return LoggedServer(fixture: fixture, secrets: secrets, output: output, server: server)
    }

    func remove() {
        server.stop()
        fixture.remove()
        secrets.remove()
    }

    /// The complete lines written so far.
    func lines() throws -> [String] {
        let text = try String(contentsOfFile: output, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// The lines once there are at least `count` (or what there is after `seconds`: a bound on a writer that
    /// never writes, far beyond what a loaded machine takes).
    func waitForLines(_ count: Int, seconds: Double = Double(patience)) async throws -> [String] {
        _ = await eventually(seconds: seconds) { ((try? lines()) ?? []).count >= count }
        return try lines()
    }

    /// A request with a bound far beyond what a loaded machine takes (the default 10 s was seen too short with
    /// every server suite running on 2 busy cores).
    func request(_ target: String, method: String = "GET", headers: [(String, String)] = []) async throws
        -> RawHTTPResponse
    {
        try await RawHTTPClient.request(
            method, target, port: server.port, headers: headers, timeoutSeconds: Self.patience)
    }

    /// `key=value` fields of a text line.
    static func logfmt(_ line: String) -> [String: String] {
        var fields: [String: String] = [:]
        for field in line.split(separator: " ") {
            guard let equals = field.firstIndex(of: "=") else { continue }
            fields[String(field[..<equals])] = String(field[field.index(after: equals)...])
        }
        return fields
    }
}
