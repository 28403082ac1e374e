import Foundation
import TestSupport
import Testing

/// RFC 9112 as a conformance checker would try it, against the real binary with the fast path and without:
/// every request gets a well-formed answer or a clean close, never a wait for the idle timeout (30 s; every
/// exchange here gives up after 5).
@Suite struct ConformanceTests {
    /// The real server on a published profile, with its access log (standard output) kept in a file.
    private struct Server {
        let fixture: PublishedFixture
        let process: HostsServerProcess
        let logFile: String
        var port: Int { process.port }

        init(fastPath: Bool) async throws {
            let fixture = try PublishedFixture()
            try fixture.publish("office.hosts", SampleProfiles.office)
            let logFile = fixture.path + ".access.log"
            FileManager.default.createFile(atPath: logFile, contents: nil)
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
            self.fixture = fixture
            self.logFile = logFile
            process = try await offThePool {
                try HostsServerProcess(
                    directory: fixture.path, extraArguments: fastPath ? [] : ["--no-fast-path"], accessLog: true,
                    standardOutput: output)
            }
        }

        func stop() {
            process.stop()
            fixture.remove()
            try? FileManager.default.removeItem(atPath: logFile)
        }

        /// The access log so far (it is written at most a second after each request).
        var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

        /// Sends `text` (in pieces `pause` ms apart when split by `|`), returns the answers once the server closes.
        func exchange(_ text: String, pause: Int = 100) async throws -> [RawHTTPResponse] {
            let pieces = text.split(separator: "|", omittingEmptySubsequences: false).map { Array($0.utf8) }
            let raw = try await RawHTTPClient.exchange(
                pieces: pieces, pauseMilliseconds: pause, port: port, timeoutSeconds: 5)
            return try Self.split(raw)
        }

        /// Pipelined answers, each framed by its Content-Length (every answer here has one).
        static func split(_ raw: [UInt8]) throws -> [RawHTTPResponse] {
            var responses: [RawHTTPResponse] = []
            var rest = raw[...]
            while !rest.isEmpty {
                var response = try RawHTTPClient.parse(Array(rest), method: "HEAD")
                let headLength = Array(rest).firstRange(of: [13, 10, 13, 10])!.upperBound
                guard let length = response.header("Content-Length").flatMap(Int.init) else {
                    throw SplitError(description: "an answer without Content-Length: \(response.status)")
                }
                let bodyLength = response.status == 304 ? 0 : length
                guard rest.count >= headLength + bodyLength else {
                    throw SplitError(description: "answer \(responses.count + 1) is cut short")
                }
                response.body = Array(rest.dropFirst(headLength).prefix(bodyLength))
                responses.append(response)
                rest = rest.dropFirst(headLength + bodyLength)
            }
            return responses
        }
    }

    private static let host = "Host: 127.0.0.1\r\n"

    private struct SplitError: Error, CustomStringConvertible {
        var description: String
    }

    /// curl --http2 asks for h2c: the request is answered as HTTP/1.1, and so is the one pipelined after it,
    /// whichever path answers either.
    @Test(arguments: [true, false]) func upgradeIsIgnored(fastPath: Bool) async throws {
        let server = try await Server(fastPath: fastPath)
        defer { server.stop() }
        let upgrade =
            "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"
        for (first, second) in [("/profiles/office", "/healthz"), ("/healthz", "/profiles/office")] {
            let responses = try await server.exchange(
                "GET \(first) HTTP/1.1\r\n\(Self.host)\(upgrade)\r\n"
                    + "GET \(second) HTTP/1.1\r\n\(Self.host)Connection: close\r\n\r\n")
            #expect(responses.map(\.status) == [200, 200], "\(first) then \(second)")
            #expect(responses.allSatisfy { $0.header("Upgrade") == nil })
        }
    }

    /// HTTP/1.0 without keep-alive: `Connection: close` and the connection closed after the answer, on every
    /// route; with keep-alive asked for, the answer says so and the next request is answered.
    @Test(arguments: [true, false]) func http10GetsItsConnectionSemanticsOnEveryPath(fastPath: Bool) async throws {
        let server = try await Server(fastPath: fastPath)
        defer { server.stop() }
        for target in ["/profiles/office", "/profiles/none", "/profiles", "/healthz", "/", "/nothing"] {
            for method in ["GET", "HEAD"] {
                let raw = try await RawHTTPClient.exchange(
                    Array("\(method) \(target) HTTP/1.0\r\n\r\n".utf8), port: server.port, timeoutSeconds: 5)
                let response = try RawHTTPClient.parse(raw, method: method)
                #expect(response.header("Connection") == "close", "\(method) \(target)")
                #expect(response.header("Date") != nil)
            }
            let responses = try await server.exchange(
                "GET \(target) HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET \(target) HTTP/1.0\r\n\r\n")
            #expect(responses.map { $0.header("Connection") } == ["keep-alive", "close"], "\(target)")
        }
        let post = try await server.exchange("POST /profiles/office HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi")
        #expect(post.map(\.status) == [405])
        #expect(post.first?.header("Connection") == "close")
    }

    /// Each is refused with a framed (Content-Length), dated answer saying `Connection: close`, then closed;
    /// a request answered before it on the same connection is answered first. Every refusal is in the access
    /// log and the metrics.
    @Test(arguments: [true, false]) func malformedRequestsAreRefusedAndClosed(fastPath: Bool) async throws {
        let server = try await Server(fastPath: fastPath)
        defer { server.stop() }
        let cases: [(request: String, status: Int)] = [
            ("GET /profiles/office HTTP/1.1\nHost: x\n\n", 400),
            ("GET /profiles/office HTTP/1.1\r\nHost: x\n\r\n", 400),
            ("GET /profiles/office\r\n", 400),
            ("GET /profiles/office HTTP/1.1\r\n\r\n", 400),
            ("GET /profiles/office HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET /profiles/office HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
            ("GET /profiles/office HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", 400),
            ("GET /profiles/office HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            ("GET /profiles/office HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n", 405),
            ("GET /profiles/office HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", 400),
        ]
        var refused = 0
        for (request, status) in cases {
            // Alone, and behind a request that each path answers: the refusal comes after its answer.
            for before in [
                "", "GET /profiles/office HTTP/1.1\r\n\(Self.host)\r\n", "GET /healthz HTTP/1.1\r\n\(Self.host)\r\n",
            ] {
                let responses = try await server.exchange(before + request)
                let expected = before.isEmpty ? [status] : [200, status]
                #expect(responses.map(\.status) == expected, "\(before.debugDescription) \(request.debugDescription)")
                guard let last = responses.last else { continue }
                #expect(last.header("Connection") == "close")
                #expect(last.header("Date") != nil)
                #expect(last.header("Content-Length") == String(last.body.count))
                refused += 1
            }
        }
        let metrics = try await RawHTTPClient.request("GET", "/metrics", port: server.port).text
        let counted = [400, 405, 501, 505].flatMap { status in
            ["profile", "other"].map { route in
                DescriptorExhaustionTests.value(
                    of: #"hosts_server_requests_total{route="\#(route)",status="\#(status)"}"#, in: metrics) ?? 0
            }
        }.reduce(0, +)
        #expect(counted == Double(refused), "\(metrics)")
        func logged() -> Int {
            server.log.split(separator: "\n").filter { line in
                [400, 405, 501, 505].contains { line.contains(" status=\($0) ") }
            }.count
        }
        _ = await eventually(seconds: 5) { logged() >= refused }
        #expect(logged() == refused, "\(server.log)")
    }

    /// Valid Host forms are answered.
    @Test func validHostFormsAreAnswered() async throws {
        let server = try await Server(fastPath: true)
        defer { server.stop() }
        for host in ["[::1]:8080", "127.0.0.1", "hosts.example:", "", "xn--bcher-kva.example:80"] {
            let responses = try await server.exchange(
                "GET /profiles/office HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
            #expect(responses.map(\.status) == [200], "\(host)")
        }
    }

    /// A request body in chunks leaves the rest of the connection to NIO's parser: its errors are answered with
    /// a dated, framed 400 that the access log and metrics count, not Hummingbird's bare one.
    @Test(arguments: [true, false]) func parserErrorsAfterAChunkedBodyAreAnsweredLikeTheRest(fastPath: Bool)
        async throws
    {
        let server = try await Server(fastPath: fastPath)
        defer { server.stop() }
        let chunked =
            "POST /profiles/office HTTP/1.1\r\n\(Self.host)Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        let responses = try await server.exchange(
            chunked
                + "GET /profiles/office HTTP/1.1\r\n\(Self.host)\r\n|GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n"
        )
        #expect(responses.map(\.status) == [405, 200, 400])
        #expect(responses.last?.header("Date") != nil)
        #expect(responses.last?.header("Connection") == "close")
        #expect(await eventually(seconds: 5) { server.log.contains(" status=400 ") }, "\(server.log)")
    }
}
