import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A response read off the wire by ``RawHTTPClient``.
public struct RawHTTPResponse: Sendable {
    public var status: Int
    /// In arrival order, names as sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// First value of a header, name compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

public struct RawHTTPError: Error, CustomStringConvertible {
    public var description: String
}

/// An HTTP/1.1 client over a plain TCP socket to 127.0.0.1, for tests that must control every byte of the
/// request (unnormalised paths, repeated headers) and see every byte of the response (no automatic gzip
/// decoding, no following). One connection per request (`Connection: close`); the blocking socket work
/// runs on its own thread, so it never ties up the cooperative pool the server under test may need.
public enum RawHTTPClient {
    /// How long a read may wait for a byte: it bounds a server that hangs, far from what a loaded machine costs
    /// (10 s expired once under load for a 405 answered by Hummingbird).
    public static let defaultTimeoutSeconds = 30

    /// Sends a request and reads the response until the server closes the connection.
    /// - Parameter source: the local address to send from (e.g. `127.0.0.2`), else the system's choice.
    public static func request(
        _ method: String = "GET", _ target: String, port: Int, headers: [(String, String)] = [],
        timeoutSeconds: Int = defaultTimeoutSeconds, from source: String? = nil
    ) async throws -> RawHTTPResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        let raw = try await exchange(
            pieces: [Array(text.utf8)], port: port, timeoutSeconds: timeoutSeconds, from: source)
        return try parse(raw, method: method)
    }

    /// Sends raw bytes and returns everything the server sent back before closing.
    public static func exchange(_ bytes: [UInt8], port: Int, timeoutSeconds: Int = defaultTimeoutSeconds) async throws
        -> [UInt8]
    {
        try await exchange(pieces: [bytes], port: port, timeoutSeconds: timeoutSeconds)
    }

    /// Sends the pieces one write at a time, `pauseMilliseconds` apart (so the server reads them
    /// separately), and returns everything the server sent back before closing.
    public static func exchange(
        pieces: [[UInt8]], pauseMilliseconds: Int = 50, port: Int, timeoutSeconds: Int = defaultTimeoutSeconds,
        from source: String? = nil
    ) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    with: Result {
                        try blockingExchange(
                            pieces, pause: pauseMilliseconds, port: port, timeoutSeconds: timeoutSeconds,
                            source: source)
                    })
            }
            thread.start()
        }
    }

    /// Splits pipelined responses, given the method of each request (a HEAD response has no body).
    public static func parseAll(_ raw: [UInt8], methods: [String]) throws -> [RawHTTPResponse] {
        var start = raw.startIndex
        var responses: [RawHTTPResponse] = []
        for method in methods {
            guard let headEnd = raw[start...].firstRange(of: [13, 10, 13, 10])?.upperBound else {
                throw RawHTTPError(description: "no complete response head after \(responses.count) responses")
            }
            var response = try parse(Array(raw[start..<headEnd]), method: "HEAD")
            let length =
                method == "HEAD" || response.status == 304
                ? 0 : response.header("Content-Length").flatMap(Int.init) ?? 0
            guard headEnd + length <= raw.endIndex else {
                throw RawHTTPError(description: "response \(responses.count + 1) is cut short")
            }
            response.body = Array(raw[headEnd..<headEnd + length])
            start = headEnd + length
            responses.append(response)
        }
        guard start == raw.endIndex else {
            throw RawHTTPError(description: "\(raw.endIndex - start) bytes after \(methods.count) responses")
        }
        return responses
    }

    private static func blockingExchange(
        _ pieces: [[UInt8]], pause: Int, port: Int, timeoutSeconds: Int, source: String?
    ) throws -> [UInt8] {
        let fd: Int32
        do {
            fd = try LoopbackSocket.connect(port: port, from: source)
        } catch {
            throw RawHTTPError(description: String(describing: error))
        }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        for (index, bytes) in pieces.enumerated() {
            if index > 0 { usleep(useconds_t(pause * 1000)) }
            guard LoopbackSocket.writeAll(fd, bytes) else {
                throw RawHTTPError(description: "send: \(String(cString: strerror(errno)))")
            }
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET, !received.isEmpty { break }
                throw RawHTTPError(description: "recv: \(String(cString: strerror(errno)))")
            }
            received.append(contentsOf: chunk[0..<count])
        }
        return received
    }

    /// Parses one response; the body is what follows the head (Content-Length checked when present).
    public static func parse(_ raw: [UInt8], method: String = "GET") throws -> RawHTTPResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = raw.indices.first(where: { raw[$0...].starts(with: separator) }) else {
            throw RawHTTPError(description: "no complete response head in \(raw.count) bytes")
        }
        let head = String(decoding: raw[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw RawHTTPError(description: "bad status line: \(head.prefix(80))")
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = RawHTTPResponse(status: status, headers: headers, body: Array(raw[(end + 4)...]))
        if let length = response.header("Content-Length").flatMap(Int.init), method != "HEAD", status != 304 {
            guard response.body.count >= length else {
                throw RawHTTPError(description: "body has \(response.body.count) bytes, Content-Length says \(length)")
            }
            response.body = Array(response.body.prefix(length))
        }
        return response
    }
}
