import NIOCore

/// Where every answered request is counted and logged, whichever path answered it (the fast path, the
/// Hummingbird routes, or an error answered before any route), so that metrics and the access log see the
/// same requests.
struct RequestAccounting: Sendable {
    let metrics: ServerMetrics
    /// nil turns the access log off.
    let accessLog: AccessLog?

    /// When a request started, for its duration in the access log; nil (and free) with the log off.
    var start: NIODeadline? { accessLog == nil ? nil : .now() }

    /// Counts and logs one answered request. `bodyBytes` are the body bytes sent (0 for HEAD and 304).
    func answered(
        method: String, path: Substring, route: Route.Label, status: Int, bodyBytes: Int, started: NIODeadline?,
        remote: @autoclosure () -> SocketAddress?
    ) {
        metrics.record(route: route, status: status, bodyBytes: bodyBytes)
        if let accessLog, let started {
            accessLog.logRequest(
                method: method, path: path, status: status, bytes: bodyBytes, started: started, remote: remote())
        }
    }

    /// The same with the peer as the access log shows it, which a connection formats once
    /// (``AccessLogLine/text(of:)``).
    func answered(
        method: String, path: Substring, route: Route.Label, status: Int, bodyBytes: Int, started: NIODeadline?,
        remoteText: () -> [UInt8]
    ) {
        metrics.record(route: route, status: status, bodyBytes: bodyBytes)
        if let accessLog, let started {
            accessLog.logRequest(
                method: method, path: path, status: status, bytes: bodyBytes, started: started,
                remoteText: remoteText())
        }
    }
}
