import CompressNIO
import Foundation
import Hummingbird
import TestSupport
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

/// Profile requests are answered in the channel pipeline, everything else by Hummingbird; pipelined
/// requests mixing both must still be answered in order, and HTTP/1.0 must get its connection semantics.
@Suite struct PipeliningTests {
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            let targets = ["/profiles/office", "/healthz", "/profiles/office", "/profiles/none", "/", "/profiles"]
            var requests = ""
            for (offset, target) in targets.enumerated() {
                let close = offset == targets.count - 1 ? "Connection: close\r\n" : ""
                requests += "GET \(target) HTTP/1.1\r\nHost: x\r\n\(close)\r\n"
            }
            let raw = try await RawHTTPClient.exchange(Array(requests.utf8), port: port)
            var rest = raw[...]
            var statuses: [Int] = []
            var types: [String] = []
            while !rest.isEmpty {
                let response = try RawHTTPClient.parse(Array(rest))
                statuses.append(response.status)
                types.append(response.header("Content-Type") ?? "")
                let headLength = Array(rest).firstRange(of: [13, 10, 13, 10])!.upperBound
                rest = rest.dropFirst(headLength + response.body.count)
            }
            #expect(statuses == [200, 200, 200, 404, 200, 200])
            #expect(
                types == [
                    "text/plain; charset=utf-8", "application/json", "text/plain; charset=utf-8",
                    "text/plain; charset=utf-8", "text/html; charset=utf-8", "application/json",
                ])
        }
    }

    @Test func http10GetsItsConnectionSemantics() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            // No keep-alive asked: the server answers and closes (exchange returns only on close).
            let raw = try await RawHTTPClient.exchange(Array("GET /profiles/office HTTP/1.0\r\n\r\n".utf8), port: port)
            let response = try RawHTTPClient.parse(raw)
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(response.body == Array(SampleProfiles.office.utf8))

            // Asked for: kept open and said so, until a request without it.
            let twice =
                "GET /profiles/office HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /profiles/office HTTP/1.0\r\n\r\n"
            let responses = try RawHTTPClient.parseAll(
                try await RawHTTPClient.exchange(Array(twice.utf8), port: port), methods: ["GET", "GET"])
            #expect(responses.map(\.status) == [200, 200])
            #expect(responses.map { $0.header("Connection") } == ["keep-alive", "close"])
        }
    }

    /// The fast path waits for the rest of a head sent in pieces; a request with a body hands the
    /// connection to Hummingbird, which answers it and everything after it.
    @Test func splitHeadsAndRequestsWithABodyAreAnsweredInOrder() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            let pieces = [
                "GET /profiles/off", "ice HTTP/1.1\r\nHost: x\r", "\n\r\n",
                "POST /profiles/office HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /profiles/office HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            ]
            let raw = try await RawHTTPClient.exchange(pieces: pieces.map { Array($0.utf8) }, port: port)
            let responses = try RawHTTPClient.parseAll(raw, methods: ["GET", "POST", "GET"])
            #expect(responses.map(\.status) == [200, 405, 200])
            #expect(responses[0].body == Array(SampleProfiles.office.utf8))
            #expect(responses[2].body == Array(SampleProfiles.office.utf8))
        }
    }

    /// A request for Hummingbird that waited behind polls while the socket was full is passed on when the
    /// socket drains (not when more bytes arrive): it must still be answered, though the client sends nothing
    /// more. Found by review: it waited for the request timeout.
    @Test func aRequestHeldWhileTheSocketWasFullIsStillAnswered() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let big = SampleProfiles.large(4000, tag: "big")
        try fixture.publish("big.hosts", big)
        try await fixture.withServer { _, port in
            // Each answer is over NIO's 64 KiB high-water mark: the fast path stops after each and goes on
            // when the socket drains, where /healthz goes on to Hummingbird.
            let polls = 100
            var requests = String(repeating: "GET /profiles/big HTTP/1.1\r\nHost: x\r\n\r\n", count: polls)
            requests += "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let raw = try await RawHTTPClient.exchange(Array(requests.utf8), port: port)
            let responses = try RawHTTPClient.parseAll(raw, methods: Array(repeating: "GET", count: polls + 1))
            #expect(responses.count == polls + 1)
            #expect(responses.prefix(polls).allSatisfy { $0.status == 200 && $0.body == Array(big.utf8) })
            #expect(responses.last?.status == 200)
            #expect(responses.last?.header("Content-Type") == "application/json")
        }
    }

    /// Large bodies leave as memory-file regions through per-connection handles, a few kept at a time:
    /// many profiles and codings pipelined on one connection must each arrive whole and in order.
    @Test func largeBodiesArriveWholeAcrossManyProfilesOnOneConnection() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let names = (0..<6).map { "p\($0)" }
        var profiles: [String: [UInt8]] = [:]
        for (offset, name) in names.enumerated() {
            let text = SampleProfiles.large(3000 + offset * 100, tag: name)
            try fixture.publish("\(name).hosts", text)
            profiles[name] = Array(text.utf8)
        }
        let expected = profiles
        try await fixture.withServer { _, port in
            var requests = ""
            var asked: [(method: String, name: String, gzip: Bool)] = []
            for round in 0..<2 {
                for name in names {
                    for gzip in [false, true] {
                        let method = round == 1 && name == "p0" && !gzip ? "HEAD" : "GET"
                        requests += "\(method) /profiles/\(name) HTTP/1.1\r\nHost: x\r\n"
                        requests += gzip ? "Accept-Encoding: gzip\r\n\r\n" : "\r\n"
                        asked.append((method, name, gzip))
                    }
                }
            }
            requests += "GET /profiles/p1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            asked.append(("GET", "p1", false))
            let raw = try await RawHTTPClient.exchange(Array(requests.utf8), port: port)
            let responses = try RawHTTPClient.parseAll(raw, methods: asked.map(\.method))
            for (response, request) in zip(responses, asked) {
                let full = try #require(expected[request.name])
                #expect(response.status == 200)
                #expect(response.header("ETag") == "\"\(sha256Hex(full))\(request.gzip ? "-gzip" : "")\"")
                #expect((response.header("Content-Encoding") == "gzip") == request.gzip)
                if request.method == "HEAD" { continue }
                var body = response.body
                if request.gzip {
                    #expect(body.count >= MemoryFile.threshold, "the gzip copy is meant to be a memory file too")
                    var buffer = ByteBuffer(bytes: body)
                    body = Array(buffer: try buffer.decompress(with: .gzip()))
                }
                #expect(body == full, "\(request.name) gzip: \(request.gzip)")
            }
        }
    }

    /// A kept-alive connection polling a large profile gets the new version once it is published: the
    /// whole-response files it is answered from belong to one version (and one second) each.
    @Test func keptAliveConnectionSeesTheNewVersionOfALargeProfile() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let old = SampleProfiles.large(3000, tag: "old")
        let new = SampleProfiles.large(3000, tag: "new")
        try fixture.publish("office.hosts", old)
        try await fixture.withServer { _, port in
            let connection = try await offThePool { try KeptAliveConnection(port: port) }
            defer { connection.close() }
            let poll = Array("GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            let first = try await offThePool { try connection.exchange(poll) }
            // Published only once the first answer is in, and the second poll sent only once a new connection
            // sees it: each step waits on what the server did, not on time.
            try fixture.publish("office.hosts", new)
            #expect(
                await eventually(seconds: 120) {
                    (try? await RawHTTPClient.request("GET", "/profiles/office", port: port).body) == Array(new.utf8)
                })
            let second = try await offThePool { try connection.exchange(poll) }
            #expect([first, second].map(\.body) == [Array(old.utf8), Array(new.utf8)])
            #expect(
                [first, second].map { $0.header("ETag") } == [old, new].map { "\"\(sha256Hex(Array($0.utf8)))\"" })
        }
    }
}

/// One kept-alive connection, a request and its whole answer at a time; blocking, so used off the pool.
private final class KeptAliveConnection: @unchecked Sendable {
    private let fd: Int32
    private var received: [UInt8] = []

    init(port: Int) throws {
        fd = try LoopbackSocket.connect(port: port)
        // A bound on a server that stops answering, far beyond what a loaded machine takes.
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends a GET and reads its answer: the head, then Content-Length bytes of body.
    func exchange(_ request: [UInt8]) throws -> RawHTTPResponse {
        guard LoopbackSocket.writeAll(fd, request) else { throw ConnectionError(description: "send failed") }
        while true {
            if let headEnd = received.firstRange(of: [13, 10, 13, 10])?.upperBound {
                let head = try RawHTTPClient.parse(Array(received[..<headEnd]), method: "HEAD")
                let length = head.header("Content-Length").flatMap(Int.init) ?? 0
                if received.count >= headEnd + length {
                    let response = try RawHTTPClient.parse(Array(received[..<(headEnd + length)]))
                    received.removeFirst(headEnd + length)
                    return response
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw ConnectionError(description: "connection ended after \(received.count) bytes of an answer")
            }
            received += chunk[0..<count]
        }
    }

    func close() {
        _ = Glibc.close(fd)
    }

    struct ConnectionError: Error, CustomStringConvertible {
        var description: String
    }
}
