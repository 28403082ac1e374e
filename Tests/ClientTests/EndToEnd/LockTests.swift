import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct LockTests {
    /// While another process holds the state-dir lock, the client waits, says so, and then does its write.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "needs flock(1)"))
    func oneWriterAtATime() throws {
        let sandbox = try ClientSandbox()
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts", "--no-apply"])
        let held = sandbox.root + "/held"
        let release = sandbox.root + "/release"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        // Holds the lock until the test creates the release file (bounded to 20 s).
        holder.arguments = [
            sandbox.stateDirectory + "/lock", "/bin/sh", "-c",
            "touch \(held); i=0; while [ ! -e \(release) ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done",
        ]
        try holder.run()
        defer { holder.waitUntilExit() }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: held) { usleep(50_000) }

        let waiting = try sandbox.launch(["apply"])
        // The client must not get past the lock while it is held.
        for _ in 0..<200 {
            let err = (try? String(contentsOfFile: waiting.stderrPath, encoding: .utf8)) ?? ""
            if err.contains("waiting for another hosts-client") { break }
            usleep(50_000)
        }
        #expect(waiting.process.isRunning)
        #expect(sandbox.hosts == ClientSandbox.originalHosts, "nothing written while the lock is held")
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        waiting.process.waitUntilExit()
        let result = waiting.finish()
        #expect(result.ok, "\(result.stderr)")
        #expect(result.stderr.contains("waiting for another hosts-client to finish"))
        #expect(sandbox.blockLines.contains("10.0.0.3 gamma"))
    }
}
