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

    /// Starts the server on `directory` (with `extraArguments`, e.g. `--trusted-proxy`) and waits (bounded) until it
    /// accepts connections.
    public init(directory: String, tls: (certificate: String, key: String)? = nil, extraArguments: [String] = [])
        throws
    {
        let binary = try BuiltProducts.path(of: "hosts-server")
        port = try LoopbackSocket.freePort()
        scheme = tls == nil ? "http" : "https"
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        var arguments = ["--dir", directory, "--port", "\(port)", "--no-access-log", "--threads", "1"]
        if let tls { arguments += ["--tls-cert", tls.certificate, "--tls-key", tls.key] }
        process.arguments = arguments + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
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

    /// Sends SIGTERM and returns without waiting; see ``waitForExit()``.
    public func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Waits for the process to end and returns its exit status.
    public func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
