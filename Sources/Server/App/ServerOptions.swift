import HostsCore

/// Everything `hosts-server` is told on its command line, validated.
struct ServerOptions: Sendable {
    var directory: String
    var host = "127.0.0.1"
    var port = 8080
    var tokenFile: String?
    var tls: TLSFiles?
    /// A connection with no request in flight is closed after this long; it also bounds how long a
    /// client may take to send a request's headers.
    var idleTimeout: Duration = .seconds(30)
    /// A request whose response is not fully written this long after its headers arrived has its
    /// connection closed (a client that stops reading).
    var requestTimeout: Duration = .seconds(30)
    /// Largest request header block accepted (431/400 beyond).
    var maxHeaderBytes = 16 * 1024
    var pollInterval: Duration = .seconds(1)
    /// One line per request on standard output, written by ``AccessLog``'s own thread.
    var accessLog = true
    var accessLogFormat: AccessLogFormat = .text
    /// The longest a line waits in the access log's buffer (nginx's `flush=`).
    var accessLogFlush: Duration = .seconds(1)
    /// Answer profile polls from the connection's bytes ahead of NIO's HTTP parser (Linux only; elsewhere,
    /// and with `--no-fast-path`, Hummingbird answers everything).
    var fastPath = true
    /// Open connections at most (see ``ConnectionLimit``); nil: what the descriptor limit holds, at most
    /// 10 000 (``DescriptorLimit/defaultMaxConnections(limit:sendsFiles:)``).
    var maxConnections: Int?
    /// Peers whose `Forwarded`/`X-Forwarded-For` name the client a view chooses for (`--trusted-proxy`).
    var trustedProxies: [CIDR] = []

    struct TLSFiles: Sendable {
        var certificate: String
        var privateKey: String
    }
}

/// Setup failed before serving; the message names what to fix.
struct ServerSetupError: Error, CustomStringConvertible {
    var description: String
}
