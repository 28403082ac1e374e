import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real HTTP CONNECT proxy on loopback, as corporate proxies (squid) work for clients that tunnel: it reads
/// `CONNECT host:port`, checks `Proxy-Authorization` when it wants credentials (407 otherwise), answers 403 for a
/// target port it does not allow, else connects to the target (loopback only) and copies bytes both ways until
/// either side closes. Every CONNECT is recorded. One thread per direction.
public final class TunnelProxy: @unchecked Sendable {
    /// One CONNECT as the proxy saw it.
    public struct Tunnel: Sendable {
        public var target: String
        public var authorization: String?
    }

    public var port: Int { listener.port }
    private var listener: LoopbackListener!
    private let credentials: String?
    private let allowedPorts: Set<Int>?
    private let lock = NSLock()
    private var recorded: [Tunnel] = []

    /// `credentials`: "user:password" the proxy requires; `allowedPorts`: the target ports it tunnels to (all
    /// when nil), as squid's `SSL_ports` rule limits CONNECT.
    public init(credentials: String? = nil, allowedPorts: Set<Int>? = nil) throws {
        self.credentials = credentials
        self.allowedPorts = allowedPorts
        listener = try LoopbackListener { [self] client in handle(client) }
    }

    deinit { stop() }

    public func stop() { listener?.stop() }

    /// Every CONNECT so far, in order.
    public var tunnels: [Tunnel] { lock.withLock { recorded } }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = Self.readHead(client) else { return }
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let words = lines[0].split(separator: " ")
        let authorization = lines.dropFirst().first { $0.lowercased().hasPrefix("proxy-authorization:") }
            .map { String($0.drop { $0 != ":" }.dropFirst()).trimmingCharacters(in: .whitespaces) }
        guard words.count == 3, words[0] == "CONNECT" else {
            LoopbackSocket.writeAll(client, Array("HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n".utf8))
            return
        }
        let target = String(words[1])
        lock.withLock { recorded.append(Tunnel(target: target, authorization: authorization)) }
        if let credentials, authorization != "Basic " + Data(credentials.utf8).base64EncodedString() {
            LoopbackSocket.writeAll(
                client,
                Array(
                    "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n"
                        .utf8))
            return
        }
        guard let portText = target.split(separator: ":").last, let targetPort = Int(portText),
            target.hasPrefix("127.0.0.1:") || target.hasPrefix("localhost:"),
            allowedPorts?.contains(targetPort) ?? true,
            let upstream = try? LoopbackSocket.connect(port: targetPort)
        else {
            LoopbackSocket.writeAll(client, Array("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".utf8))
            return
        }
        defer { close(upstream) }
        LoopbackSocket.writeAll(client, Array("HTTP/1.1 200 Connection Established\r\n\r\n".utf8))
        let done = DispatchSemaphore(value: 0)
        Thread {
            Self.copy(from: upstream, to: client)
            done.signal()
        }.start()
        Self.copy(from: client, to: upstream)
        _ = done.wait(timeout: .now() + 15)
    }

    /// Copies until `source` ends, then half-closes `destination` so the other direction can finish.
    private static func copy(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 || !LoopbackSocket.writeAll(destination, Array(buffer[0..<count])) { break }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    /// The request head, byte by byte so that nothing of the tunnelled stream is read with it.
    private static func readHead(_ fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while bytes.count < 16384 {
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            bytes.append(byte)
            if bytes.count >= 4, bytes.suffix(4) == [13, 10, 13, 10] { return bytes }
        }
        return nil
    }
}
