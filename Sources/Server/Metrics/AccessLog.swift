import Logging
import NIOCore

extension Logger {
    /// One access-log line, the same whether the fast path or Hummingbird answered.
    func logRequest(method: String, path: Substring, status: Int, bytes: Int, started: NIODeadline, remote: String) {
        let micros = (NIODeadline.now() - started).nanoseconds / 1000
        info(
            "request",
            metadata: [
                "method": "\(method)", "path": "\(path)", "status": "\(status)", "bytes": "\(bytes)",
                "duration_us": "\(micros)", "remote": "\(remote)",
            ])
    }
}

extension Channel {
    /// `ip:port` of the peer, or `-` when unknown, for the access log.
    var remoteDescription: String {
        guard let address = remoteAddress else { return "-" }
        if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
        return address.description
    }
}
