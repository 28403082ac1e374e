import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Answers an attacker's server gives, written straight to a real loopback socket. Each is bounded (at most
/// `seconds`, at most `limit` bytes) and stops as soon as the client goes away, so a test that fails cannot hang
/// the run; `sent` counts what went out, for the report of what the attack cost.
final class HostileAnswers: @unchecked Sendable {
    let seconds: Double
    let limit: Int
    private let lock = NSLock()
    private var written = 0

    init(seconds: Double = 300, limit: Int = 2 << 30) {
        self.seconds = seconds
        self.limit = limit
    }

    /// Bytes written so far, over every connection.
    var sent: Int { lock.withLock { written } }

    /// `Transfer-Encoding: chunked`, 64 KiB chunks, never the last one.
    var endlessChunked: ScriptedResponse {
        .raw { [self] socket in
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
            guard send(socket, Array(head.utf8)) else { return }
            let chunk = Array("10000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 0x10000) + [13, 10]
            while send(socket, chunk) {}
        }
    }

    /// `Content-Length: 10000000000` (10 GB), then bytes for as long as the client reads.
    var hugeContentLength: ScriptedResponse {
        .raw { [self] socket in
            guard send(socket, Array("HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n".utf8)) else { return }
            let block = [UInt8](repeating: UInt8(ascii: "x"), count: 0x10000)
            while send(socket, block) {}
        }
    }

    /// A body of 100000 bytes announced, sent one byte every 100 ms.
    var trickledBody: ScriptedResponse {
        .raw { [self] socket in
            guard send(socket, Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".utf8)) else { return }
            while send(socket, [UInt8(ascii: "<")]) { Thread.sleep(forTimeInterval: 0.1) }
        }
    }

    /// A header line every 50 ms, never the blank line that ends the head.
    var endlessHeaders: ScriptedResponse {
        .raw { [self] socket in
            guard send(socket, Array("HTTP/1.1 200 OK\r\n".utf8)) else { return }
            var line = 0
            while send(socket, Array("X-Padding-\(line): x\r\n".utf8)) {
                line += 1
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// The request is read, then nothing: the connection is held open until the client closes it.
    var silence: ScriptedResponse {
        .raw { [self] socket in
            let started = Date()
            var byte: UInt8 = 0
            while Date().timeIntervalSince(started) < seconds {
                var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 100) >= 0 else { return }
                // Readable with nothing to read: the client closed its end.
                if descriptor.revents != 0, recv(socket, &byte, 1, Int32(MSG_PEEK)) <= 0 { return }
            }
        }
    }

    /// One write within the bounds; false once the client is gone or the attack has run its course.
    private func send(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        let over = lock.withLock { written + bytes.count > limit }
        guard !over, Date().timeIntervalSince(started) < seconds else { return false }
        guard LoopbackSocket.writeAll(socket, bytes) else { return false }
        lock.withLock { written += bytes.count }
        return true
    }

    private let started = Date()
}
