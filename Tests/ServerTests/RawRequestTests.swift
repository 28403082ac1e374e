import Testing

@testable import Server

/// The fast path's request parser: what it answers must be exactly what the full HTTP parser would
/// have understood; everything else must come back `unsupported` (or `incomplete`), never misread.
@Suite struct RawRequestTests {
    private func parse(_ text: String, maxHeaderFields: Int = 100) -> RawRequest.ParseResult {
        Array(text.utf8).withUnsafeBytes { RawRequest.parse($0, maxHeaderFields: maxHeaderFields) }
    }

    private func request(_ text: String) throws -> (RawRequest, Int) {
        guard case .request(let request, let length) = parse(text) else {
            Issue.record("not parsed as a request: \(text.debugDescription)")
            throw ParseFailure()
        }
        return (request, length)
    }

    private struct ParseFailure: Error {}

    private func isUnsupported(_ text: String) -> Bool {
        if case .unsupported = parse(text) { return true }
        return false
    }

    private func isIncomplete(_ text: String) -> Bool {
        if case .incomplete = parse(text) { return true }
        return false
    }

    @Test func plainGetKeepsTheHeadersTheAnswerDependsOn() throws {
        let text =
            "GET /profiles/office?x=1 HTTP/1.1\r\nHost: h\r\nIF-NONE-MATCH:  \"a\", \"b\" \t\r\n"
            + "Accept-Encoding: gzip\r\nAuthorization: Bearer t0k\r\nX-Other: y\r\nif-none-match: \"c\"\r\n\r\n"
        let (request, length) = try request(text + "GET /next HTTP/1.1\r\n\r\n")
        #expect(length == text.utf8.count)
        #expect(request.method == .get)
        #expect(request.path == "/profiles/office")
        #expect(request.keepAlive)
        #expect(!request.isHTTP10)
        #expect(request.headers.values(.ifNoneMatch) == ["\"a\", \"b\"", "\"c\""])
        #expect(request.headers.first(.acceptEncoding) == "gzip")
        #expect(request.headers.first(.authorization) == "Bearer t0k")
        #expect(!request.headers.contains(.ifModifiedSince))
    }

    /// A view's choice behind a trusted proxy depends on these, so the fast path keeps them (every line, in order).
    @Test func forwardingHeadersAreKept() throws {
        let text =
            "GET /profiles/auto HTTP/1.1\r\nX-Forwarded-For: 192.0.2.1\r\nforwarded: for=192.0.2.2\r\n"
            + "x-forwarded-for: 10.0.0.1, 10.0.0.2\r\n\r\n"
        let (request, _) = try request(text)
        #expect(request.headers.values(.xForwardedFor) == ["192.0.2.1", "10.0.0.1, 10.0.0.2"])
        #expect(request.headers.values(.forwarded) == ["for=192.0.2.2"])
    }

    @Test func connectionSemanticsFollowTheVersion() throws {
        #expect(try request("HEAD / HTTP/1.1\r\n\r\n").0.method == .head)
        #expect(try !request("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").0.keepAlive)
        #expect(try !request("GET / HTTP/1.0\r\n\r\n").0.keepAlive)
        let kept = try request("GET / HTTP/1.0\r\nConnection: TE, Keep-Alive\r\n\r\n").0
        #expect(kept.keepAlive && kept.isHTTP10)
    }

    @Test func incompleteHeadsWait() {
        #expect(isIncomplete(""))
        #expect(isIncomplete("GET /profiles/office HTTP/1.1"))
        #expect(isIncomplete("GET /profiles/office HTTP/1.1\r\nHost: x\r\n"))
        #expect(isIncomplete("GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r"))
    }

    @Test func anythingUnusualIsLeftToTheFullParser() {
        for text in [
            "POST /profiles/office HTTP/1.1\r\n\r\n",
            "get /profiles/office HTTP/1.1\r\n\r\n",
            "GET http://h/profiles/office HTTP/1.1\r\n\r\n",
            "GET  /profiles/office HTTP/1.1\r\n\r\n",
            "GET /profiles/office HTTP/2.0\r\n\r\n",
            "GET /profiles/office HTTP/1.1 \r\n\r\n",
            "GET /profiles/office\r\n\r\n",
            "GET /profiles/\u{7F}x HTTP/1.1\r\n\r\n",
            "GET /profiles/office HTTP/1.1\nHost: x\r\n\r\n",
            "GET /profiles/office HTTP/1.1\r\nHost: x\n\r\n",
            "GET /profiles/office HTTP/1.1\r\nHost : x\r\n\r\n",
            "GET /profiles/office HTTP/1.1\r\n: x\r\n\r\n",
            "GET /profiles/office HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
            "GET /profiles/office HTTP/1.1\r\nX-A: a\u{01}b\r\n\r\n",
            "GET /profiles/office HTTP/1.1\r\nX-A: a\rb\r\n\r\n",
            "GET /profiles/office HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
            "GET /profiles/office HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET /profiles/office HTTP/1.1\r\nUpgrade: h2c\r\n\r\n",
            "GET /profiles/office HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
        ] {
            #expect(isUnsupported(text), "\(text.debugDescription)")
        }
        let many = (0..<4).map { "X-\($0): v\r\n" }.joined()
        if case .unsupported = parse("GET / HTTP/1.1\r\n\(many)\r\n", maxHeaderFields: 3) {
        } else {
            Issue.record("more header fields than allowed must be left to the full parser")
        }
    }
}
