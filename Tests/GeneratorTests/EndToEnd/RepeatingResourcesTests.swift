import Foundation
import TestSupport
import Testing

/// `generate --every` keeps one HTTP client for the process: passes reuse its event-loop threads and connections
/// instead of leaving some behind each time, and SIGTERM shuts it down cleanly (exit 0).
@Suite struct RepeatingResourcesTests {
    /// Threads and open descriptors of a running process, from /proc.
    static func resources(of pid: Int32) -> (threads: Int, descriptors: Int) {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        return (threads, descriptors)
    }

    @Test func passesLeaveNoThreadsOrConnectionsBehind() async throws {
        let server = try ScriptedHTTPServer { _ in .xml(CannedEC2.page([("i-1", "one", "pa", "10.0.0.1")], token: nil))
        }
        defer { server.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml", GeneratorRun.config(endpoint: server.baseURL, prefixes: ["pa"], output: "pub"))
        let binary = try BuiltProducts.path(of: "hosts-generator")
        let (early, late, status) = try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["generate", "--config", config, "--every", "0.05s"]
            process.environment = [
                "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
                "HOME": folder.path, "PATH": "/usr/bin:/bin",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            // Bounded waits on observable state: the number of passes the server has answered.
            for _ in 0..<600 where server.requests.count < 3 { usleep(50_000) }
            let early = Self.resources(of: process.processIdentifier)
            for _ in 0..<2400 where server.requests.count < 100 { usleep(50_000) }
            let late = Self.resources(of: process.processIdentifier)
            process.terminate()
            process.waitUntilExit()
            return (early, late, process.terminationStatus)
        }
        #expect(server.requests.count >= 100, "100 passes ran")
        // A snapshot may catch a pass mid-way (its connection, the publisher's temporary file and lock): a few
        // either way. A leak would be one per pass, some 97 here.
        print("resources after 3 passes: \(early), after \(server.requests.count): \(late)")
        #expect(early.threads > 0 && late.threads <= early.threads + 10, "threads \(early.threads) → \(late.threads)")
        #expect(
            early.descriptors > 0 && late.descriptors <= early.descriptors + 10,
            "descriptors \(early.descriptors) → \(late.descriptors)")
        #expect(status == 0, "SIGTERM: the client shut down and the process exited cleanly")
    }
}
