import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real moto (EC2/STS-compatible API from PyPI) on a loopback port it bound itself: `scripts/moto-server.py`
/// starts it on port 0 and prints the port once it listens, which is read here (a port picked free beforehand
/// could be taken by another process first).
///
/// Skip rule: tests that need it use `.enabled(if: MotoServer.canRun)`: they are skipped when python3 cannot
/// import `moto.server`, except when env `CI` is "true", where a missing moto must fail the run (`start` throws).
/// The launcher exits by itself when the test process goes away, even on a crash (it watches its parent).
public final class MotoServer: Sendable {
    public let port: Int
    /// `http://127.0.0.1:PORT`
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    private let output: String

    /// `scripts/moto-server.py`, the launcher `make demo` uses too.
    public static let launcher = BuiltProducts.packageRoot + "/scripts/moto-server.py"

    /// Whether python3 (on PATH) has `moto.server` (`pip install 'moto[server]'`); asked once.
    public static let isInstalled: Bool =
        (try? BuiltProducts.run("/usr/bin/env", ["python3", "-c", "import moto.server"]))?.status == 0
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
    /// Run the moto tests: moto is installed, or we are on CI (where its absence is a failure, not a skip).
    public static var canRun: Bool { isInstalled || isCI }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    private init(port: Int, process: Process, output: String) {
        self.port = port
        self.process = process
        self.output = output
    }

    /// Starts moto and waits (up to 60 s: importing moto takes seconds on a loaded machine) until it reports
    /// the port it listens on.
    public static func start() async throws -> MotoServer {
        guard isInstalled else {
            throw StartError(description: "python3 cannot import moto.server (pip install 'moto[server]')")
        }
        let output = NSTemporaryDirectory() + "moto-\(getpid())-\(UUID().uuidString).out"
        FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", launcher, "--parent", "\(getpid())"]
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = environment["AWS_ACCESS_KEY_ID"] ?? "test"
        environment["AWS_SECRET_ACCESS_KEY"] = environment["AWS_SECRET_ACCESS_KEY"] ?? "test"
        process.environment = environment
        // stdout carries the port line, stderr moto's request log: both in the file, read for the port and,
        // on failure, for the reason.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let server = try await offThePool { () throws -> MotoServer in
            for _ in 0..<1_200 {
                let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("port=") }),
                    let port = Int(line.dropFirst("port=".count))
                {
                    return MotoServer(port: port, process: process, output: output)
                }
                if !process.isRunning { break }
                usleep(50_000)
            }
            let tail = (try? String(contentsOfFile: output, encoding: .utf8))?.split(separator: "\n").suffix(3)
            let ended = process.isRunning ? "still running after 60 s" : "exit status \(process.terminationStatus)"
            Self.end(process)
            try? FileManager.default.removeItem(atPath: output)
            throw StartError(
                description: "moto-server.py did not report its port (\(ended)): "
                    + (tail?.joined(separator: " | ") ?? "no output"))
        }
        return server
    }

    /// Stops moto: SIGTERM, then SIGKILL if it has not exited within 10 s.
    public func stop() {
        Self.end(process)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: output)
    }

    private static func end(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
