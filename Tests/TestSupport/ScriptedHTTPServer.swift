import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A real HTTP/1.1 server on 127.0.0.1 that answers as a test script says, for testing clients against a real
/// socket and for what moto cannot produce: throttling, HTML error pages, truncated or slow bodies, IMDS and
/// container credential endpoints, ETags and 304s.
///
/// Plain POSIX sockets, one thread per connection, `Connection: close` on every answer. Routes map a path to a
/// closure; a path without a route goes to the fallback handler given at init (404 without one). Every request
/// is recorded for assertions.
public final class ScriptedHTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (ScriptedRequest) -> ScriptedResponse

    public var port: Int { listener.port }
    private var listener: LoopbackListener!
    private let fallback: Handler?
    private let lock = NSLock()
    private var routes: [String: Handler] = [:]
    private var recorded: [ScriptedRequest] = []

    /// `fallback` answers every request whose path has no route.
    public init(_ fallback: Handler? = nil) throws {
        self.fallback = fallback
        listener = try LoopbackListener { [self] client in serve(client) }
    }

    deinit { stop() }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func url(_ path: String) -> String { baseURL + path }

    /// Sets (or replaces) the answer for `path`.
    public func route(_ path: String, _ handler: @escaping Handler) {
        lock.withLock { routes[path] = handler }
    }

    /// Answers `path` with fixed content and an ETag, and with 304 when the client already has that ETag.
    public func serveHosts(_ path: String, _ body: String, etag: String) {
        route(path) { request in
            if request.headers["if-none-match"] == etag {
                return ScriptedResponse(status: 304, headers: [("ETag", etag)])
            }
            return .text(body, etag: etag)
        }
    }

    /// The requests received so far, in arrival order.
    public var requests: [ScriptedRequest] { lock.withLock { recorded } }

    public func requests(to path: String) -> [ScriptedRequest] { requests.filter { $0.path == path } }

    /// Stops accepting; connections in flight finish on their own threads.
    public func stop() { listener?.stop() }

    private func serve(_ client: Int32) {
        guard var request = Self.readRequest(client) else { return }
        let handler = lock.withLock {
            request.sequence = recorded.count
            recorded.append(request)
            return routes[request.path] ?? fallback
        }
        let response = handler?(request) ?? .status(404, body: "not found\n")
        if let port = response.forwardPort {
            guard let upstream = try? LoopbackSocket.connect(port: port) else { return }
            defer { close(upstream) }
            LoopbackSocket.writeAll(upstream, Self.withConnectionClose(request))
            LoopbackSocket.writeAll(client, LoopbackSocket.readToEnd(upstream))
            return
        }
        if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
        if let stream = response.stream {
            stream(client)
            return
        }
        write(response, to: client, headOnly: request.method == "HEAD")
    }

    private func write(_ response: ScriptedResponse, to fd: Int32, headOnly: Bool) {
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        if !response.omitContentLength && response.status != 304 {
            head += "Content-Length: \(response.body.count)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        guard LoopbackSocket.writeAll(fd, Array(head.utf8)) else { return }
        guard !headOnly, response.status != 304 else { return }
        var offset = 0
        while offset < response.body.count {
            let end = min(offset + 65_536, response.body.count)
            guard LoopbackSocket.writeAll(fd, Array(response.body[offset..<end])) else { return }
            offset = end
        }
    }

    /// The request with `Connection: close`, so the upstream ends the exchange after one response.
    private static func withConnectionClose(_ request: ScriptedRequest) -> [UInt8] {
        let text = String(decoding: request.raw, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return request.raw }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
            .filter { !$0.lowercased().hasPrefix("connection:") && !$0.lowercased().hasPrefix("expect:") }
        return Array((lines.joined(separator: "\r\n") + "\r\nConnection: close\r\n\r\n").utf8) + request.body
    }

    /// Reads one request: a head of at most 64 KiB, then a body of Content-Length bytes (after a
    /// `100 Continue` when the client expects one).
    private static func readRequest(_ fd: Int32) -> ScriptedRequest? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headEnd: Int?
        var contentLength = 0
        var head = ""
        while headEnd.map({ data.count < $0 + contentLength }) ?? true {
            if headEnd == nil, data.count > 65_536 { return nil }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return nil }
            data.append(contentsOf: buffer[0..<count])
            if headEnd == nil, let separator = data.firstRange(of: [13, 10, 13, 10]) {
                headEnd = separator.upperBound
                head = String(decoding: data[..<separator.lowerBound], as: UTF8.self)
                for line in head.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength =
                        Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
                if head.lowercased().contains("expect: 100-continue") {
                    LoopbackSocket.writeAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
            }
        }
        guard let end = headEnd else { return nil }
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        let target = String(requestLine[1])
        return ScriptedRequest(
            method: String(requestLine[0]), path: String(target.prefix { $0 != "?" }),
            target: target, headers: headers, body: Array(data[end..<(end + contentLength)]),
            raw: Array(data[..<(end + contentLength)]), sequence: 0)
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
