import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real HTTP/1.1 server on 127.0.0.1 that answers each request as a test script says: a canned response, or
/// the request forwarded to another loopback port (e.g. moto_server). Used for what moto cannot produce:
/// throttling, HTML error pages, truncated bodies, IMDS and container credential endpoints.
/// Every response closes its connection.
public final class ScriptedHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]  // lower-cased names
        public var body: [UInt8]
        /// The exact bytes received (request line, headers, body), for forwarding.
        public var raw: [UInt8]
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    public enum Reply: Sendable {
        case respond(status: Int, headers: [String: String] = [:], body: String)
        /// Sends the request to 127.0.0.1:port and relays the answer.
        case forward(port: Int)
    }

    public let port: Int
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    private let fd: Int32
    private let handler: @Sendable (Request, Int) -> Reply
    private let lock = NSLock()
    private var received: [Request] = []
    private var stopped = false

    /// `handler` gets each request and its 0-based sequence number.
    public init(handler: @escaping @Sendable (Request, Int) -> Reply) throws {
        (fd, port) = try LoopbackSocket.listen()
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// The requests received so far.
    public var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                lock.lock()
                let done = stopped
                lock.unlock()
                if done || errno != EINTR { return }
                continue
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        guard let request = Self.readRequest(client) else { return }
        lock.lock()
        let sequence = received.count
        received.append(request)
        lock.unlock()
        switch handler(request, sequence) {
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Scripted")\r\n"
            var fields = headers
            fields["Content-Length"] = String(body.utf8.count)
            fields["Connection"] = "close"
            if fields["Content-Type"] == nil { fields["Content-Type"] = "text/xml;charset=UTF-8" }
            for (name, value) in fields.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
            LoopbackSocket.writeAll(client, Array((head + "\r\n" + body).utf8))
        case .forward(let port):
            guard let upstream = LoopbackSocket.connect(port: port) else { return }
            defer { close(upstream) }
            LoopbackSocket.writeAll(upstream, Self.withConnectionClose(request))
            LoopbackSocket.writeAll(client, LoopbackSocket.readToEnd(upstream))
        }
    }

    /// The request with `Connection: close`, so the upstream ends the exchange after one response.
    private static func withConnectionClose(_ request: Request) -> [UInt8] {
        let text = String(decoding: request.raw, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return request.raw }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
            .filter { !$0.lowercased().hasPrefix("connection:") && !$0.lowercased().hasPrefix("expect:") }
        return Array((lines.joined(separator: "\r\n") + "\r\nConnection: close\r\n\r\n").utf8) + request.body
    }

    private static func readRequest(_ fd: Int32) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var contentLength = 0
        var head = ""
        while true {
            if let end = headerEnd, data.count >= end + contentLength { break }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            data.append(contentsOf: buffer[0..<count])
            if headerEnd == nil, let range = findHeaderEnd(data) {
                headerEnd = range
                head = String(decoding: data[0..<range], as: UTF8.self)
                for line in head.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength =
                        Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
                if head.lowercased().contains("expect: 100-continue") {
                    LoopbackSocket.writeAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
            }
        }
        let end = headerEnd!
        let lines = head.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let body = Array(data[end..<(end + contentLength)])
        return Request(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body,
            raw: Array(data[0..<(end + contentLength)]))
    }

    /// Index just past the blank line that ends the headers.
    private static func findHeaderEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for index in 0...(data.count - 4)
        where data[index] == 13 && data[index + 1] == 10 && data[index + 2] == 13 && data[index + 3] == 10 {
            return index + 4
        }
        return nil
    }
}
