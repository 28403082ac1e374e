import ArgumentParser
import HostsCore
import Hummingbird
import Logging

/// `hosts-server`: serves the profiles of a published directory over HTTP(S).
@main
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts-server",
        abstract: "Publish the hosts profiles of a directory over HTTP(S), from memory, with ETags and gzip.",
        version: BuildVersion.current
    )

    @Option(help: "Published directory (NAME.hosts, index.json, NAME.hosts.sig), as written by hosts-generator.")
    var dir: String

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "File of bearer tokens, one per line; when given, every route but /healthz requires one.")
    var tokenFile: String?

    @Option(help: "PEM certificate chain; serves HTTPS with --tls-key.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(
        help: ArgumentHelp(
            "How long an idle connection (or one still sending its headers) is kept open (0.1s to 1d; a bare number is seconds).",
            valueName: "duration"))
    var idleTimeout = "30s"

    @Option(
        help: ArgumentHelp(
            "How long a request may take until its response is written (0.1s to 1d; a bare number is seconds).",
            valueName: "duration"))
    var requestTimeout = "30s"

    @Option(help: "Largest request header block, in bytes.")
    var maxHeaderBytes = 16 * 1024

    @Option(
        help: ArgumentHelp(
            "Open connections at most; at the limit the longest-idle one is closed for a new one, or the new one when none is idle.",
            discussion:
                "Default: what the descriptor limit (RLIMIT_NOFILE, raised to its hard limit at start) holds after a reserve of max(64, limit/4), at 4 descriptors a connection (1 with TLS), at most 10000."
        ))
    var maxConnections: Int?

    @Option(
        help: ArgumentHelp(
            "A reverse proxy (address or CIDR; repeatable) whose X-Forwarded-For / Forwarded header names the client "
                + "that views choose for; from any other peer those headers are ignored.", valueName: "cidr"))
    var trustedProxy: [String] = []

    @Option(help: "Event loop threads (default: the CPUs this process may run on).")
    var threads: Int?

    @Flag(
        inversion: .prefixedNo, help: "One line per request on standard output (the log proper goes to standard error)."
    )
    var accessLog = true

    @Option(help: "Access-log lines as logfmt `key=value` text or as JSON objects.")
    var accessLogFormat = AccessLogFormat.text

    @Option(
        help: ArgumentHelp(
            "How long an access-log line may wait in the buffer (0.1s to 1h; a bare number is seconds); lines are also written once 32 KiB wait, and at exit.",
            valueName: "duration"))
    var accessLogFlush = "1s"

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Answer profile polls straight from the connection's bytes, ahead of the HTTP parser (Linux only).",
            discussion: "--no-fast-path sends every request through the full HTTP stack (Hummingbird)."))
    var fastPath = true

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        if Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError(
                "--log-level \(logLevel): not one of trace, debug, info, notice, warning, error, critical")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port): not a port number") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        guard maxHeaderBytes >= 1024 else { throw ValidationError("--max-header-bytes must be at least 1024") }
        _ = try trustedProxyRanges()
        _ = try durations()
    }

    /// The sane ranges of the durations: below 0.1 s a timeout cuts healthy clients off and a flush interval
    /// busies the writer thread; nothing needs a connection held, or a line kept back, longer.
    static let timeoutRange: ClosedRange<Double> = 0.1...86_400
    static let flushRange: ClosedRange<Double> = 0.1...3600

    /// `--idle-timeout`, `--request-timeout` and `--access-log-flush` in HostsCore's one duration grammar
    /// (`30`, `500ms`, `30s`, `2m`, `1.5s`), each refused outside its range with a message naming the option (exit 64).
    func durations() throws -> (idle: Duration, request: Duration, flush: Duration) {
        func duration(_ text: String, _ option: String, in range: ClosedRange<Double>) throws -> Duration {
            do {
                return try Interval(parsing: text).checked(option, in: range).duration
            } catch {
                var named = error
                named.what = named.what ?? option
                throw ValidationError(named.description)
            }
        }
        return (
            try duration(idleTimeout, "--idle-timeout", in: Self.timeoutRange),
            try duration(requestTimeout, "--request-timeout", in: Self.timeoutRange),
            try duration(accessLogFlush, "--access-log-flush", in: Self.flushRange)
        )
    }

    func trustedProxyRanges() throws -> [CIDR] {
        var ranges: [CIDR] = []
        for text in trustedProxy {
            do {
                ranges.append(try CIDR(parsing: text))
            } catch {
                throw ValidationError("--trusted-proxy \(text): \(error.reason)")
            }
        }
        return ranges
    }

    func run() throws {
        var logger = Logger(label: "hosts-server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var options = ServerOptions(directory: dir)
        options.host = host
        options.port = port
        options.tokenFile = tokenFile
        if let tlsCert, let tlsKey { options.tls = .init(certificate: tlsCert, privateKey: tlsKey) }
        let durations = try durations()
        options.idleTimeout = durations.idle
        options.requestTimeout = durations.request
        options.maxHeaderBytes = maxHeaderBytes
        options.accessLog = accessLog
        options.accessLogFormat = accessLogFormat
        options.accessLogFlush = durations.flush
        options.fastPath = fastPath
        options.maxConnections = maxConnections
        DescriptorLimit.raiseToHard()
        options.trustedProxies = try trustedProxyRanges()
        ServerRuntime.takeOver(threads: threads ?? ServerRuntime.usableCPUs)
        // A ServerSetupError surfaces as "Error: <what to fix>" and exit status 1.
        let app = try buildApplication(options: options, logger: logger)
        try ServerRuntime.runBlocking {
            // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, then exit.
            try await app.runService()
        }
    }
}

extension AccessLogFormat: ExpressibleByArgument {}
