import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A man in the middle on loopback: forwards each HTTP request to `upstreamPort` and, while rewriting, replaces
/// `from` with `to` in response bodies (fixing Content-Length), as a spoofed server or a hostile network would.
///
/// While rewriting it also drops the request's conditional and compression headers, so that the server sends a
/// full, plain body to tamper with — exactly what an attacker on the path can do. One thread per connection;
/// every answer ends with the connection closed.
public final class RewritingProxy: @unchecked Sendable {
    public var port: Int { listener.port }
    public let upstreamPort: Int
    private let from: [UInt8]
    private let to: [UInt8]
    private var listener: LoopbackListener!
    private let lock = NSLock()
    private var rewriting: Bool
    private var rewrites = 0

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public func url(_ path: String) -> String { baseURL + path }

    /// How many response bodies were changed so far.
    public var rewriteCount: Int { lock.withLock { rewrites } }

    public init(upstreamPort: Int, replacing from: String, with to: String, rewriting: Bool = true) throws {
        self.upstreamPort = upstreamPort
        self.from = Array(from.utf8)
        self.to = Array(to.utf8)
        self.rewriting = rewriting
        listener = try LoopbackListener { [self] client in handle(client) }
    }

    deinit { stop() }

    public func setRewriting(_ on: Bool) { lock.withLock { rewriting = on } }

    public func stop() { listener?.stop() }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = readHead(client) else { return }
        let active = lock.withLock { rewriting }
        let request = Self.rewriteRequest(head, dropConditionals: active)
        guard let upstream = try? LoopbackSocket.connect(port: upstreamPort) else { return }
        defer { close(upstream) }
        setsockopt(upstream, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        LoopbackSocket.writeAll(upstream, request)
        var response = LoopbackSocket.readToEnd(upstream)
        if active, let changed = Self.rewriteBody(response, from: from, to: to) {
            response = changed
            lock.withLock { rewrites += 1 }
        }
        LoopbackSocket.writeAll(client, response)
    }

    /// Bytes up to and including the blank line that ends the request head (GET/HEAD carry no body).
    private func readHead(_ fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65536 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return nil }
            bytes.append(contentsOf: buffer[0..<count])
            if Self.find([13, 10, 13, 10], in: bytes) != nil { return bytes }
        }
        return nil
    }

    /// Forces `Connection: close` and, when tampering, drops what would let the server answer 304 or gzip.
    static func rewriteRequest(_ head: [UInt8], dropConditionals: Bool) -> [UInt8] {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        var dropped: Set<String> = ["connection", "keep-alive"]
        if dropConditionals { dropped.formUnion(["if-none-match", "if-modified-since", "accept-encoding"]) }
        lines =
            [lines[0]]
            + lines.dropFirst().filter { line in
                let name = line.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
                return !dropped.contains(name)
            }
        lines.append("Connection: close")
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// The response with `from` replaced by `to` in its body and Content-Length fixed; nil when `from` is absent.
    static func rewriteBody(_ response: [UInt8], from: [UInt8], to: [UInt8]) -> [UInt8]? {
        guard let split = find([13, 10, 13, 10], in: response) else { return nil }
        let headText = String(decoding: response[..<split], as: UTF8.self)
        var body = Array(response[(split + 4)...])
        guard let at = find(from, in: body) else { return nil }
        body.replaceSubrange(at..<(at + from.count), with: to)
        let lines = headText.components(separatedBy: "\r\n").map { line in
            line.lowercased().hasPrefix("content-length:") ? "Content-Length: \(body.count)" : line
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle {
            return start
        }
        return nil
    }
}
