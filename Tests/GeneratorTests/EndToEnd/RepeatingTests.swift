import Foundation
import TestSupport
import Testing

/// `generate --every`: repeats, and on SIGTERM finishes the pass in progress before exiting.
@Suite struct RepeatingTests {
    // Synchronous on purpose: an async test that sleeps can be starved of the cooperative pool by other tests that
    // block it, and then the generator's request times out and is retried before the test looks.
    @Test func sigtermFinishesThePassInProgress() throws {
        let gate = DispatchSemaphore(value: 0)
        let server = try ScriptedHTTPServer { request in
            // Pass 2 blocks in its request until the test has sent SIGTERM.
            if request.sequence == 1 { gate.wait() }
            let name = request.sequence == 0 ? "first" : "second"
            return .xml(CannedEC2.page([("i-1", name, "pa", "10.0.0.1")], token: nil))
        }
        defer { server.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml", GeneratorRun.config(endpoint: server.baseURL, prefixes: ["pa"], output: "pub"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProducts.path(of: "hosts-generator"))
        process.arguments = ["generate", "--config", config, "--every", "0.2s"]
        process.environment = [
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
            "HOME": folder.path, "PATH": "/usr/bin:/bin",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait (bounded) for pass 2 to be inside its request.
        for _ in 0..<300 where server.requests.count < 2 { usleep(100_000) }
        #expect(server.requests.count == 2)
        #expect(folder.read("pub/remote.hosts")?.contains("10.0.0.1 first first.pa\n") == true)
        process.terminate()  // SIGTERM
        usleep(300_000)
        gate.signal()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        // The pass that was running when SIGTERM came was completed and published; no third pass started.
        #expect(folder.read("pub/remote.hosts")?.contains("10.0.0.1 second second.pa\n") == true)
        #expect(server.requests.count == 2)
    }
}
