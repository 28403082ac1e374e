import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real `moto_server` (EC2-compatible API from PyPI) on a free loopback port.
///
/// Skip rule: tests that need it use `.enabled(if: MotoServer.canRun)`: they are skipped when `moto_server` is not
/// on PATH, except when env `CI` is "true", where a missing moto must fail the run (`start` throws).
/// moto runs under a small shell watchdog that kills it when the test process goes away, even on a crash
/// (the watchdog notices that it has been re-parented).
public final class MotoServer: Sendable {
    public let port: Int
    /// `http://127.0.0.1:PORT`
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    private let stopFile: String

    /// Whether `moto_server` is on PATH.
    public static var isInstalled: Bool { executablePath("moto_server") != nil }
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    /// Run the moto tests: moto is installed, or we are on CI (where its absence is a failure, not a skip).
    public static var canRun: Bool { isInstalled || isCI }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private init(port: Int, process: Process, stopFile: String) {
        self.port = port
        self.process = process
        self.stopFile = stopFile
    }

    /// Starts moto on a free port and waits (up to 30 s) until it answers.
    public static func start() async throws -> MotoServer {
        guard let moto = executablePath("moto_server") else {
            throw StartError(description: "moto_server is not on PATH (pip install 'moto[server]')")
        }
        var lastError = ""
        for _ in 0..<3 {
            let port = try LoopbackSocket.freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            let stopFile = NSTemporaryDirectory() + "moto-stop-\(getpid())-\(port)"
            try? FileManager.default.removeItem(atPath: stopFile)
            // Signals may be ignored in the test process (and so in its children, for good): the watchdog is told
            // to stop through a file, and ends moto with TERM, then KILL.
            let watchdog = """
                "$0" -H 127.0.0.1 -p \(port) >/dev/null 2>&1 & m=$!
                alive() { read -r _ _ _ pp _ < /proc/$$/stat; [ "$pp" = "\(getpid())" ] && [ ! -e "\(stopFile)" ]; }
                while alive && kill -0 $m 2>/dev/null; do sleep 0.3; done
                kill $m 2>/dev/null; sleep 0.5; kill -9 $m 2>/dev/null; rm -f "\(stopFile)"
                """
            process.arguments = ["-c", watchdog, moto]
            var environment = ProcessInfo.processInfo.environment
            environment["AWS_ACCESS_KEY_ID"] = environment["AWS_ACCESS_KEY_ID"] ?? "test"
            environment["AWS_SECRET_ACCESS_KEY"] = environment["AWS_SECRET_ACCESS_KEY"] ?? "test"
            process.environment = environment
            try process.run()
            let server = MotoServer(port: port, process: process, stopFile: stopFile)
            if await server.waitUntilReady(seconds: 30) { return server }
            server.stop()
            lastError = "moto_server did not answer on port \(port)"
        }
        throw StartError(description: lastError)
    }

    /// Stops moto (and its watchdog).
    public func stop() {
        if process.isRunning {
            _ = FileManager.default.createFile(atPath: stopFile, contents: nil)
            process.waitUntilExit()
        }
    }

    deinit { stop() }

    private func waitUntilReady(seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !process.isRunning { return false }
            if let fd = try? LoopbackSocket.connect(port: port) {
                LoopbackSocket.writeAll(fd, Array("GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8))
                let answer = LoopbackSocket.readToEnd(fd)
                close(fd)
                if String(decoding: answer.prefix(12), as: UTF8.self).hasPrefix("HTTP/") { return true }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    static func executablePath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
