import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small POSIX socket helpers for loopback test servers and clients.
public enum LoopbackSocket {
    /// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
    public static func listen() throws -> (fd: Int32, port: Int) {
        let (fd, port) = try bound(reuseAddress: true)
        #if canImport(Glibc)
            let listening = Glibc.listen(fd, 64) == 0
        #else
            let listening = Darwin.listen(fd, 64) == 0
        #endif
        guard listening else {
            let error = SocketError("listen 127.0.0.1:\(port)", errno: errno)
            close(fd)
            throw error
        }
        return (fd, port)
    }

    /// A TCP socket bound to 127.0.0.1 on a kernel-chosen port, not listening: connections to the port are
    /// refused. Without SO_REUSEADDR no other socket can bind the port while this one is open.
    static func bound(reuseAddress: Bool) throws -> (fd: Int32, port: Int) {
        let fd = try newSocket()
        if reuseAddress {
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let error = SocketError("bind 127.0.0.1", errno: errno)
            close(fd)
            throw error
        }
        return (fd, localPort(fd))
    }

    /// Whether a TCP socket of this machine listens on `port` (IPv4 or IPv6), from /proc/net without
    /// connecting to it; false where /proc/net cannot be read.
    public static func isListening(port: Int) -> Bool {
        let hexPort = String(format: ":%04X", port)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // Read to the end: /proc reports a size of 0, and a reader that trusts it gets the first page only.
            guard let handle = FileHandle(forReadingAtPath: table), let data = try? handle.readToEnd() else { continue }
            try? handle.close()
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // sl, local_address (HEXADDR:HEXPORT), rem_address, st (0A: LISTEN)
                if fields.count > 3, fields[1].hasSuffix(hexPort), fields[3] == "0A" { return true }
            }
        }
        return false
    }

    /// One IPv4 TCP connection of this machine, from /proc/net/tcp (which shows other processes' sockets too, such
    /// as a server's, without asking them).
    public struct TCPConnection: Sendable {
        public var localPort: Int
        public var remotePort: Int
        /// The kernel's TCP state: 1 ESTABLISHED, 8 CLOSE_WAIT (the peer's FIN came), ...
        public var state: Int
        /// Bytes written and not yet acknowledged by the peer.
        public var send: Int
        /// Bytes received and not yet read.
        public var receive: Int
    }

    /// The IPv4 TCP connections between two loopback ports of this machine (127.0.0.1 only); empty where
    /// /proc/net/tcp cannot be read.
    public static func tcpConnections() -> [TCPConnection] {
        guard let handle = FileHandle(forReadingAtPath: "/proc/net/tcp"), let data = try? handle.readToEnd() else {
            return []
        }
        try? handle.close()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst().compactMap { line in
            // sl, local_address (HEXADDR:HEXPORT), rem_address, st, tx_queue:rx_queue (hex)
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let ends = fields[1...2].map { $0.split(separator: ":") }
            let queues = fields[4].split(separator: ":").compactMap { Int($0, radix: 16) }
            guard ends.allSatisfy({ $0.count == 2 && $0[0] == "0100007F" }), queues.count == 2,
                let local = Int(ends[0][1], radix: 16), let remote = Int(ends[1][1], radix: 16),
                let state = Int(fields[3], radix: 16)
            else { return nil }
            return TCPConnection(
                localPort: local, remotePort: remote, state: state, send: queues[0], receive: queues[1])
        }
    }

    /// The kernel's queues of the established connection from 127.0.0.1:`localPort` to 127.0.0.1:`remotePort`
    /// (``tcpConnections()``); nil when there is none.
    public static func queues(localPort: Int, remotePort: Int) -> (send: Int, receive: Int)? {
        tcpConnections().first { $0.localPort == localPort && $0.remotePort == remotePort && $0.state == 1 }
            .map { ($0.send, $0.receive) }
    }

    /// The local port of a connected or bound socket.
    public static func localPort(_ fd: Int32) -> Int {
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: actual.sin_port))
    }

    /// A socket connected to 127.0.0.1:port, from `source` when given (any 127/8 address is local on Linux:
    /// binding to 127.0.0.2 makes the server see a different client). `receiveBuffer` sets SO_RCVBUF before
    /// connecting (which also turns the kernel's tuning of it off), for a client whose unread answers are to
    /// back up into the server soon.
    public static func connect(port: Int, from source: String? = nil, receiveBuffer: Int? = nil) throws -> Int32 {
        let fd = try newSocket()
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            var local = loopback(port: 0)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let error = SocketError("bind \(source)", errno: errno)
                close(fd)
                throw error
            }
        }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #else
                    Darwin.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard result == 0 else {
            let error = SocketError("connect 127.0.0.1:\(port)", errno: errno)
            close(fd)
            throw error
        }
        return fd
    }

    /// Sends all of `bytes`; false when the peer is gone (or the send timed out) before that.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            if written < 0, errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Reads until the peer closes (or anything goes wrong).
    public static func readToEnd(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return out }
            out.append(contentsOf: buffer[0..<count])
        }
    }

    private static func newSocket() throws -> Int32 {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw SocketError("socket", errno: errno) }
        return fd
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    public struct SocketError: Error, CustomStringConvertible {
        public var description: String
        init(_ step: String, errno code: Int32) {
            description = "\(step): \(String(cString: strerror(code)))"
        }
    }
}
