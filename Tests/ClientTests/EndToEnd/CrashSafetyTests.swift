import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// SIGKILL `hosts-client sync` at random moments, 200 times: the hosts file is always exactly the old or the new
/// complete content.
@Suite struct CrashSafetyTests {
    /// Hands out A, B, A, B… so every sync has something to write.
    final class Alternator: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func next() -> Int {
            lock.withLock {
                defer { count += 1 }
                return count % 2
            }
        }
    }

    static func content(_ variant: Int) -> String {
        (0..<4000).map { "10.\(variant).\($0 / 250).\($0 % 250) host-\($0).v\(variant)\n" }.joined()
    }

    @Test func killedSyncLeavesOldOrNewNeverAnythingElse() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        let bodies = [Self.content(0), Self.content(1)]
        let alternator = Alternator()
        server.route("/profiles/big") { _ in
            let variant = alternator.next()
            return .text(bodies[variant], etag: "\"v\(variant)\"")
        }
        try sandbox.succeed(["add", "big", "--url", server.url("/profiles/big")])
        let first = sandbox.hostsBytes
        let started = Date()
        try sandbox.succeed(["sync", "--force"])
        let duration = Date().timeIntervalSince(started)
        let second = sandbox.hostsBytes
        #expect(first != second)
        let valid = [first, second]

        var killed = 0
        var generator = SystemRandomNumberGenerator()
        // Kill anywhere from before startup to a little after a normal run would have finished.
        let window = max(0.05, duration * 1.3)
        for run in 0..<200 {
            let launched = try sandbox.launch(["sync", "--force"])
            usleep(UInt32(Double.random(in: 0...window, using: &generator) * 1_000_000))
            kill(launched.process.processIdentifier, SIGKILL)
            launched.process.waitUntilExit()
            _ = launched.finish()
            if launched.process.terminationReason == .uncaughtSignal { killed += 1 }
            let now = sandbox.hostsBytes
            #expect(valid.contains(now), "run \(run): hosts file is neither the old nor the new content")
            if !valid.contains(now) { break }
        }
        #expect(killed > 0, "no run was actually interrupted")

        // Afterwards the client still works and cleans up the temporaries killed runs left.
        try sandbox.succeed(["sync", "--force"])
        #expect(valid.contains(sandbox.hostsBytes))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.root + "/etc")
        #expect(leftovers == ["hosts"], "\(leftovers)")
    }
}
