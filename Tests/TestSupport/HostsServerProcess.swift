import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The real `hosts-server` binary serving a directory on a loopback port of its own, stopped by ``stop()``: it
/// starts on `--port 0` and the port is read from its "listening" log line, so two servers started at once can
/// never be given one port (a port picked free beforehand could be taken by another test's server first, whose
/// answers the test would then read).
public final class HostsServerProcess: @unchecked Sendable {
    public private(set) var port = 0
    private let process: Process
    public let scheme: String
    /// Where its log goes when the caller keeps none: read for the port, removed at the end.
    private var privateLog: String?

    /// `http://127.0.0.1:PORT` (or `https://localhost:PORT` with TLS, matching a certificate for localhost).
    public var baseURL: String { scheme == "https" ? "https://localhost:\(port)" : "http://127.0.0.1:\(port)" }

    public func url(_ path: String) -> String { baseURL + path }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts the server on `directory` and waits (bounded) until it accepts connections.
    /// - Parameters:
    ///   - extraArguments: more command-line arguments (`--trusted-proxy`, `--max-connections`...).
    ///   - descriptorLimit: runs it under `prlimit --nofile=N:N` (soft and hard), for this server only.
    ///   - logFile: where its standard error (the log) goes; discarded when nil.
    ///   - accessLog: keep its access log on (off by default, as benchmarks and most tests want it).
    ///   - standardOutput: where its standard output (the access log) goes; discarded when nil.
    ///   - unprivileged: runs it as nobody:nogroup with no supplementary groups (`setpriv`), where file
    ///     permissions apply (root reads everything).
    public init(
        directory: String, tls: (certificate: String, key: String)? = nil, extraArguments: [String] = [],
        descriptorLimit: Int? = nil, logFile: String? = nil, accessLog: Bool = false,
        standardOutput: FileHandle? = nil, unprivileged: Bool = false
    ) throws {
        let binary = try BuiltProducts.path(of: "hosts-server")
        scheme = tls == nil ? "http" : "https"
        process = Process()
        var arguments = ["--dir", directory, "--port", "0", accessLog ? "--access-log" : "--no-access-log"]
        arguments += ["--threads", "1"]
        if let tls { arguments += ["--tls-cert", tls.certificate, "--tls-key", tls.key] }
        arguments += extraArguments
        // prlimit and setpriv each set up their process and exec the next: one process, so SIGTERM reaches
        // the server.
        var command = [binary] + arguments
        if unprivileged {
            command = ["/usr/bin/setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", "--"] + command
        }
        if let descriptorLimit {
            command = ["/usr/bin/prlimit", "--nofile=\(descriptorLimit):\(descriptorLimit)", "--"] + command
        }
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = standardOutput ?? FileHandle.nullDevice
        let log = logFile ?? NSTemporaryDirectory() + "hosts-server-\(UUID().uuidString).log"
        if logFile == nil { privateLog = log }
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        // Up to 60 s: a loaded 2-core machine has been seen to take more than 5 s to start a debug build.
        for _ in 0..<1_200 {
            if let listening = Self.listeningPort(inLog: log) {
                port = listening
                return
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(3)
        stop()
        throw StartError(
            description: "hosts-server did not start listening (\(terminationDescription)): "
                + (tail?.joined(separator: " | ") ?? "no log"))
    }

    /// The port of the server's `address=HOST:PORT … listening` log line, once it has written it.
    static func listeningPort(inLog path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasSuffix(" listening") {
            guard let field = line.split(separator: " ").first(where: { $0.hasPrefix("address=") }),
                let colon = field.lastIndex(of: ":"), let port = Int(field[field.index(after: colon)...])
            else { continue }
            return port
        }
        return nil
    }

    /// Whether the process is still running (it has not exited or crashed).
    public var isRunning: Bool { process.isRunning }

    /// The signal or exit status it ended with, once it has.
    public var terminationDescription: String {
        process.isRunning
            ? "running"
            : "\(process.terminationReason == .uncaughtSignal ? "signal" : "exit status") \(process.terminationStatus)"
    }

    /// Sends SIGTERM and returns without waiting; see ``waitForExit(seconds:)``.
    public func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Waits (at most `seconds`, then SIGKILL) for the process to end and returns its exit status: a server that
    /// never exits fails its test instead of hanging it.
    public func waitForExit(seconds: Double = 120) -> Int32 {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < end { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if it has not exited within 30 s.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        _ = waitForExit(seconds: 30)
    }

    deinit {
        stop()
        if let privateLog { try? FileManager.default.removeItem(atPath: privateLog) }
    }
}
