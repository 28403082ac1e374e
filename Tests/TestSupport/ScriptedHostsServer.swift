import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request as the scripted server saw it. Header names are lowercased.
public struct ScriptedRequest: Sendable {
    public var method: String
    public var path: String
    public var headers: [String: String]
}

/// One scripted answer: status, headers, body, and optional misbehaviour (a delay, no Content-Length).
public struct ScriptedResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Seconds to wait before answering (for timeouts).
    public var delay: Double
    /// Sends the body without Content-Length, ended by closing the connection (for streaming size caps).
    public var omitContentLength: Bool

    public init(
        status: Int, headers: [(String, String)] = [], body: [UInt8] = [], delay: Double = 0,
        omitContentLength: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.omitContentLength = omitContentLength
    }

    public static func text(_ body: String, etag: String? = nil, contentType: String = "text/plain; charset=utf-8")
        -> ScriptedResponse
    {
        var headers = [("Content-Type", contentType)]
        if let etag { headers.append(("ETag", etag)) }
        return ScriptedResponse(status: 200, headers: headers, body: Array(body.utf8))
    }

    public static func status(_ code: Int, body: String = "error\n") -> ScriptedResponse {
        ScriptedResponse(status: code, headers: [("Content-Type", "text/plain")], body: Array(body.utf8))
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 with scripted answers, for testing clients against a real socket.
///
/// Plain POSIX sockets, one thread per connection, `Connection: close` on every answer. Routes map a path to a
/// closure; unknown paths get 404. Every request is recorded for assertions.
public final class ScriptedHostsServer: @unchecked Sendable {
    public typealias Handler = @Sendable (ScriptedRequest) -> ScriptedResponse

    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var routes: [String: Handler] = [:]
    private var recorded: [ScriptedRequest] = []
    private var stopped = false

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ScriptedHostsServerError(step: "socket", code: errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw ScriptedHostsServerError(step: "bind/listen", code: code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
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

    public var requests: [ScriptedRequest] { lock.withLock { recorded } }

    public func requests(to path: String) -> [ScriptedRequest] { requests.filter { $0.path == path } }

    /// Stops accepting; connections in flight finish on their own threads.
    public func stop() {
        let wasStopped = lock.withLock {
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            if lock.withLock({ stopped }) {
                close(client)
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        guard let request = readRequest(fd) else { return }
        let handler = lock.withLock {
            recorded.append(request)
            return routes[request.path]
        }
        let response = handler?(request) ?? .status(404, body: "not found\n")
        if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
        write(response, to: fd, headOnly: request.method == "HEAD")
    }

    private func readRequest(_ fd: Int32) -> ScriptedRequest? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        let terminator: [UInt8] = [13, 10, 13, 10]
        while buffer.count < 65_536 {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
            if let end = buffer.firstRange(of: terminator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
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
                let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
                return ScriptedRequest(method: String(requestLine[0]), path: path, headers: headers)
            }
        }
        return nil
    }

    private func write(_ response: ScriptedResponse, to fd: Int32, headOnly: Bool) {
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        if !response.omitContentLength && response.status != 304 {
            head += "Content-Length: \(response.body.count)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        guard sendAll(fd, Array(head.utf8)) else { return }
        guard !headOnly, response.status != 304 else { return }
        var offset = 0
        while offset < response.body.count {
            let end = min(offset + 65_536, response.body.count)
            guard sendAll(fd, Array(response.body[offset..<end])) else { return }
            offset = end
        }
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
                let flags = Int32(MSG_NOSIGNAL)
            #else
                let flags: Int32 = 0
            #endif
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, flags) }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 304: "Not Modified"
        case 404: "Not Found"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

public struct ScriptedHostsServerError: Error, CustomStringConvertible {
    public var step: String
    public var code: Int32
    public var description: String { "scripted HTTP server: \(step) failed: errno \(code)" }
}
