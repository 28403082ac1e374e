import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The real `hosts-server` binary serving a directory on a free loopback port, stopped by ``stop()``.
public final class HostsServerProcess: @unchecked Sendable {
    public let port: Int
    private let process: Process
    public let scheme: String

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
        port = try LoopbackSocket.freePort()
        scheme = tls == nil ? "http" : "https"
        process = Process()
        var arguments = ["--dir", directory, "--port", "\(port)", accessLog ? "--access-log" : "--no-access-log"]
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
        if let logFile {
            FileManager.default.createFile(atPath: logFile, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        // Up to 60 s: a loaded 2-core machine has been seen to take more than 5 s to start a debug build.
        for _ in 0..<1_200 {
            if let fd = try? LoopbackSocket.connect(port: port) {
                close(fd)
                return
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        stop()
        throw StartError(description: "hosts-server did not start listening on port \(port)")
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

    deinit { stop() }
}
