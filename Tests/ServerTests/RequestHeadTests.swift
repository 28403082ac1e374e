import Testing

@testable import Server

/// The request-head checks every request passes before either path answers it: what is accepted is read exactly
/// as NIO's parser reads it; what breaks RFC 9112's framing rules is refused with the status it deserves.
@Suite struct RequestHeadTests {
    private let limits = RequestHead.Limits(maxHeaderBytes: 16 * 1024, maxHeaderFields: 100)

    private func parse(_ text: String, limits: RequestHead.Limits? = nil) -> RequestHead.ParseResult {
        Array(text.utf8).withUnsafeBytes { RequestHead.parse($0, limits: limits ?? self.limits) }
    }

    private func head(_ text: String) throws -> RequestHead {
        guard case .head(let head) = parse(text) else {
            Issue.record("not parsed as a request: \(text.debugDescription)")
            throw ParseFailure()
        }
        return head
    }

    private struct ParseFailure: Error {}

    /// The status a refused head is answered with, nil when it is not refused.
    private func refusal(_ text: String, limits: RequestHead.Limits? = nil) -> Int? {
        if case .refused(let answer, _, _) = parse(text, limits: limits) { return answer.status }
        return nil
    }

    private func isIncomplete(_ text: String) -> Bool {
        if case .incomplete = parse(text) { return true }
        return false
    }

    @Test func plainGetKeepsTheHeadersTheAnswerDependsOn() throws {
        let text =
            "GET /profiles/office?x=1 HTTP/1.1\r\nHost: h\r\nIF-NONE-MATCH:  \"a\", \"b\" \t\r\n"
            + "Accept-Encoding: gzip\r\nAuthorization: Bearer t0k\r\nX-Other: y\r\nif-none-match: \"c\"\r\n\r\n"
        let request = try head(text + "GET /next HTTP/1.1\r\n\r\n")
        #expect(request.length == text.utf8.count)
        #expect(request.method == .get)
        #expect(request.path == "/profiles/office")
        #expect(request.keepAlive)
        #expect(!request.isHTTP10)
        #expect(request.isPlainPoll)
        #expect(request.headers.values(.ifNoneMatch) == ["\"a\", \"b\"", "\"c\""])
        #expect(request.headers.first(.acceptEncoding) == "gzip")
        #expect(request.headers.first(.authorization) == "Bearer t0k")
        #expect(!request.headers.contains(.ifModifiedSince))
    }

    /// A view's choice behind a trusted proxy depends on these, so they are kept (every line, in order).
    @Test func forwardingHeadersAreKept() throws {
        let text =
            "GET /profiles/auto HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 192.0.2.1\r\nforwarded: for=192.0.2.2\r\n"
            + "x-forwarded-for: 10.0.0.1, 10.0.0.2\r\n\r\n"
        let request = try head(text)
        #expect(request.headers.values(.xForwardedFor) == ["192.0.2.1", "10.0.0.1, 10.0.0.2"])
        #expect(request.headers.values(.forwarded) == ["for=192.0.2.2"])
    }

    @Test func connectionSemanticsFollowTheVersion() throws {
        #expect(try head("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n").method == .head)
        #expect(try !head("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").keepAlive)
        #expect(try !head("GET / HTTP/1.0\r\n\r\n").keepAlive)
        let kept = try head("GET / HTTP/1.0\r\nConnection: TE, Keep-Alive\r\n\r\n")
        #expect(kept.keepAlive && kept.isHTTP10)
    }

    @Test func incompleteHeadsWait() {
        #expect(isIncomplete(""))
        #expect(isIncomplete("GET /profiles/office HTTP/1.1"))
        #expect(isIncomplete("GET /profiles/office HTTP/1.1\r\nHost: x\r\n"))
        #expect(isIncomplete("GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r"))
        #expect(isIncomplete("\r\n\r\n"))
    }

    /// Requests that are well-formed but not a plain poll go on to NIO's parser.
    @Test func otherRequestsArePassedOnWithTheirFraming() throws {
        let post = try head("POST /profiles/office HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")
        #expect(post.body == .length(3))
        #expect(!post.isPlainPoll)
        #expect(try head("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n").body == .none)
        #expect(try head("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n").body == .length(5))
        #expect(try head("PUT / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n").body == .chunked)
        #expect(try !head("GET http://h/profiles/office HTTP/1.1\r\nHost: h\r\n\r\n").isPlainPoll)
        #expect(try head("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").method == .other)
        #expect(try head("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").isPlainPoll)
        #expect(try head("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n").isPlainPoll)
        #expect(try head("GET / HTTP/1.1\r\nHost:\r\n\r\n").isPlainPoll)
    }

    /// `Upgrade` is ignored: the request is answered as HTTP/1.1, and the lines are marked for leaving out.
    @Test func upgradeLinesAreMarked() throws {
        let before = "GET /profiles/office HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        let text = before + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"
        let request = try head(text)
        #expect(request.isPlainPoll)
        let start = before.utf8.count
        #expect(request.upgradeLines == [start..<(start + "Upgrade: h2c\r\n".utf8.count)])
    }

    @Test func malformedHeadsAreRefusedWithTheirStatus() {
        let cases: [(String, Int)] = [
            // Line ends (RFC 9112 §2.2).
            ("GET /profiles/office HTTP/1.1\nHost: x\n\n", 400),
            ("GET /profiles/office HTTP/1.1\r\nHost: x\n\r\n", 400),
            ("GET /profiles/office HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400),
            // The request line: HTTP/0.9 (refused as soon as its line is complete), shapes, versions.
            ("GET /profiles/office\r\n", 400),
            ("GET  /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("GET /profiles/office HTTP/1.1 \r\nHost: x\r\n\r\n", 400),
            ("GET /profiles/office http/1.1\r\nHost: x\r\n\r\n", 400),
            ("GET /profiles/\u{7F}x HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("GET profiles HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("get / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
            ("BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505),
            ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
            // Fields.
            ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\n: x\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{01}b\r\n\r\n", 400),
            // Host (RFC 9112 §3.2).
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
            ("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            // Framing (RFC 9112 §6).
            ("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
            ("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
            ("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
            // No tunnels.
            ("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405),
        ]
        for (text, status) in cases {
            #expect(refusal(text) == status, "\(text.debugDescription)")
        }
    }

    @Test func headsOverTheLimitsAreRefused() {
        let many = (0..<4).map { "X-\($0): v\r\n" }.joined()
        #expect(
            refusal("GET / HTTP/1.1\r\nHost: x\r\n\(many)\r\n", limits: .init(maxHeaderBytes: 4096, maxHeaderFields: 3))
                == 431)
        let long = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: \(String(repeating: "a", count: 3000))\r\n\r\n"
        #expect(refusal(long, limits: .init(maxHeaderBytes: 2048, maxHeaderFields: 100)) == 431)
        // Still incomplete but already too long.
        #expect(refusal(String(long.dropLast(4)), limits: .init(maxHeaderBytes: 2048, maxHeaderFields: 100)) == 431)
    }

    @Test func completedLinesAreNoticedInPieces() {
        func completes(_ text: String, from start: Int) -> Bool {
            Array(text.utf8).withUnsafeBytes { RequestHead.completesSomething($0, from: start) }
        }
        #expect(!completes("GET / HT", from: 0))
        #expect(completes("GET / HTTP/1.1\r\n", from: 0))
        #expect(!completes("GET / HTTP/1.1\r\nHost: x\r\n", from: 16))
        #expect(completes("GET / HTTP/1.1\r\nHost: x\r\n\r\n", from: 24))
        #expect(completes("GET / HTTP/1.1\r\nHost: x\n", from: 16))
        #expect(completes("\r\n\r\nGET / HTTP/1.1\r\n", from: 4))
    }
}
