import Foundation
import HostsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A server (or anything between it and the client) that misbehaves on purpose: every attack ends bounded in
/// time and memory, with a clear message, a non-zero exit and the last good copy kept.
@Suite struct HostileServerTests {
    static let office = TwoRemotes.office

    func prepared() throws -> (ClientSandbox, ScriptedHTTPServer) { try TwoRemotes.prepared() }

    /// Waits (bounded) until `condition` holds.
    func waitUntil(_ what: String, seconds: Double = 20, _ condition: () -> Bool) throws {
        let end = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < end else { throw SandboxError("timed out waiting for \(what)") }
            usleep(20_000)
        }
    }

    /// Headers, then one body byte every half second, for at most 60 s or until the client goes away.
    static let drip = ScriptedResponse.raw { socket in
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n10.0.0.1 alpha\n"
        guard LoopbackSocket.writeAll(socket, Array(head.utf8)) else { return }
        for _ in 0..<120 {
            usleep(500_000)
            guard LoopbackSocket.writeAll(socket, Array("#".utf8)) else { return }
        }
    }

    @Test func slowDripIsCutAtTheDeadlineAndNeverBlocksLocalCommands() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        server.route("/profiles/office") { _ in Self.drip }
        let cacheBefore = sandbox.file("cache/office.hosts")
        let requestsBefore = server.requests(to: "/profiles/office").count

        let started = Date()
        let sync = try sandbox.launch(["sync", "--force", "--timeout", "3s"])
        try waitUntil("the drip to start") { server.requests(to: "/profiles/office").count > requestsBefore }
        // The emergency exits work while the download hangs: disable returns with the sync still running.
        try sandbox.succeed(["disable", "lab"])
        #expect(sync.process.isRunning, "disable did not wait for the sync")
        #expect(!sandbox.blockLines.contains("10.0.0.9 lab-one"), "disable applied at once")

        sync.process.waitUntilExit()
        let elapsed = Date().timeIntervalSince(started)
        let result = sync.finish()
        // The drip lasts 60 s; the deadline's own message (below) says which limit cut it. The bound here is only
        // that it was cut long before the drip ended, so a loaded machine cannot fail it.
        #expect(elapsed < 30, "sync --timeout 3s ran \(elapsed)s")
        #expect(result.status != 0)
        #expect(result.stderr.contains("timed out after 3s while reading the body"), "\(result.stderr)")
        #expect(sandbox.file("cache/office.hosts") == cacheBefore, "cache kept")
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"))
    }

    @Test func headersThatNeverComeAreNamed() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        server.route("/profiles/office") { _ in ScriptedResponse(status: 200, body: [], delay: 5) }
        let sync = try sandbox.run(["sync", "--force", "--timeout", "1s"])
        #expect(!sync.ok)
        #expect(sync.stderr.contains("timed out after 1s while waiting for the response headers"), "\(sync.stderr)")
    }

    /// Runs `sync --force` with the default 8 MiB cap under the peak-memory wrapper; returns its result and MiB.
    func syncMeasured(_ sandbox: ClientSandbox) throws -> (ClientSandbox.Run, Double) {
        let report = sandbox.root + "/peak-\(UUID().uuidString)"
        let run = try sandbox.run(["sync", "--force"], prefix: PythonTools.peakMemoryPrefix(report: report))
        return (run, try PythonTools.peakMiB(report: report))
    }

    @Test func gzipBombIsCountedAsItExpands() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        let bomb = try PythonTools.gzipBomb(mebibytes: 1100, in: sandbox.root)
        #expect(bomb.count < 2_000_000, "a real bomb: \(bomb.count) bytes for 1100 MiB")
        server.route("/profiles/office") { _ in
            ScriptedResponse(
                status: 200, headers: [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")], body: bomb)
        }
        let (sync, peak) = try syncMeasured(sandbox)
        print("gzip bomb (1100 MiB expanded): peak RSS \(peak) MiB")
        #expect(!sync.ok)
        #expect(sync.stderr.contains("larger than 8 MiB"), "\(sync.stderr)")
        #expect(peak < 64, "peak RSS \(peak) MiB")
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"), "cache kept")
    }

    @Test func endlessBodyIsCutAtTheCap() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        // No length, no end: 64 KiB chunks until the client hangs up (at most 4 GiB).
        server.route("/profiles/office") { _ in
            .raw { socket in
                guard LoopbackSocket.writeAll(socket, Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n".utf8))
                else { return }
                let chunk = Array(String(repeating: "10.0.0.1 alpha\n", count: 4369).utf8)
                for _ in 0..<65_536 { guard LoopbackSocket.writeAll(socket, chunk) else { return } }
            }
        }
        let (sync, peak) = try syncMeasured(sandbox)
        print("endless body: peak RSS \(peak) MiB")
        #expect(!sync.ok)
        #expect(sync.stderr.contains("larger than 8 MiB"), "\(sync.stderr)")
        #expect(peak < 64, "peak RSS \(peak) MiB")
    }

    @Test func gzipContentIsDecoded() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        let body = try PythonTools.gzip(Array("10.0.0.1 alpha\n10.0.0.5 epsilon\n".utf8), in: sandbox.root)
        server.route("/profiles/office") { request in
            #expect(request.headers["accept-encoding"]?.contains("gzip") == true)
            return ScriptedResponse(
                status: 200, headers: [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")], body: body)
        }
        try sandbox.succeed(["sync", "--force"])
        #expect(sandbox.blockLines.contains("10.0.0.5 epsilon"))
    }

    @Test func redirectToAnotherOriginNeverSeesTheToken() throws {
        let sandbox = try ClientSandbox()
        let home = try ScriptedHTTPServer()
        let elsewhere = try ScriptedHTTPServer()
        defer {
            home.stop()
            elsewhere.stop()
        }
        elsewhere.serveHosts("/mirror/office", Self.office, etag: "\"m1\"")
        home.route("/profiles/office") { _ in
            ScriptedResponse(status: 301, headers: [("Location", elsewhere.url("/mirror/office"))])
        }
        let tokenFile = sandbox.root + "/token"
        try sandbox.writeSecret("s3cret\n", to: tokenFile)
        try sandbox.succeed(["add", "office", "--url", home.url("/profiles/office"), "--token-file", tokenFile])
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"))
        #expect(home.requests(to: "/profiles/office").first?.headers["authorization"] == "Bearer s3cret")
        let seen = elsewhere.requests(to: "/mirror/office")
        #expect(!seen.isEmpty)
        #expect(seen.allSatisfy { $0.headers["authorization"] == nil }, "the other origin never sees the token")

        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("redirected to \(elsewhere.url("/mirror/office")) (moved permanently"))
        // The revalidation goes through the redirect too, and still without the token on the other side.
        let sync = try sandbox.succeed(["sync", "--force"])
        #expect(sync.stdout.contains("office: not modified"))
        #expect(elsewhere.requests(to: "/mirror/office").allSatisfy { $0.headers["authorization"] == nil })
    }

    @Test func redirectLoopsEnd() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.route("/profiles/office") { _ in
            ScriptedResponse(status: 302, headers: [("Location", "/profiles/office")])
        }
        let add = try sandbox.run(["add", "office", "--url", server.url("/profiles/office")])
        #expect(!add.ok)
        #expect(add.stderr.contains("more than 5 redirects"), "\(add.stderr)")
        #expect(server.requests(to: "/profiles/office").count == 6)
    }

    /// A Location of 10 KB (a path, or a scheme) is quoted in the refusal cut to an excerpt, on one line: the
    /// server does not choose how much of the terminal or the journal one error takes.
    @Test func aLongLocationIsQuotedAsAnExcerpt() async throws {
        try await offThePool {
            let long = String(repeating: "a", count: 10_000)
            for location in ["/" + long, long + "://elsewhere.example/"] {
                let sandbox = try ClientSandbox()
                let server = try ScriptedHTTPServer { _ in
                    ScriptedResponse(status: 302, headers: [("Location", location)])
                }
                defer { server.stop() }
                let add = try sandbox.run(["add", "office", "--url", server.url("/profiles/office")])
                let shown = add.stderr.prefix(500)
                #expect(!add.ok)
                #expect(add.stderr.split(separator: "\n").count == 1, "\(shown)")
                #expect(
                    add.stderr.contains("more than 5 redirects")
                        || add.stderr.contains(":// refused (only http and https)"), "\(shown)")
                #expect(add.stderr.contains("aaaa…"), "\(shown)")
                #expect(add.stderr.utf8.count < 1_000, "\(add.stderr.utf8.count) bytes of error: \(shown)")
            }
        }
    }

    @Test(.enabled(if: TestCertificates.available, "needs openssl"))
    func httpsNeverFollowsToPlainHTTP() throws {
        let sandbox = try ClientSandbox()
        let plain = try ScriptedHTTPServer()
        defer { plain.stop() }
        plain.serveHosts("/profiles/office", "10.6.6.6 alpha\n", etag: "\"x\"")
        let certificates = try TestCertificates(in: sandbox.root)
        let redirector = try TLSRedirector(certificates: certificates, location: plain.url("/profiles/office"))
        defer { redirector.stop() }

        for extra in [[], ["--ca-file", certificates.caCertificate]] {
            let add = try sandbox.run(["add", "office", "--url", redirector.url] + extra)
            #expect(!add.ok)
            if !extra.isEmpty {
                #expect(add.stderr.contains("redirect from https to plain http refused"), "\(add.stderr)")
            }
        }
        #expect(plain.requests.isEmpty, "the plain-http side was never asked")
        #expect(!sandbox.hosts.contains("10.6.6.6"))
    }

    @Test func emptyAnswerIsHeldBackUntilAccepted() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        // A failed fetch makes the segment due for a plain sync (--force would accept any shrink).
        server.route("/profiles/office") { _ in .status(503) }
        #expect(!(try sandbox.run(["sync", "--force"])).ok)
        server.serveHosts("/profiles/office", "", etag: "\"empty\"")
        let cacheBefore = sandbox.file("cache/office.hosts")

        let held = try sandbox.run(["sync", "--accept-shrink", "lab"])
        #expect(!held.ok)
        #expect(held.stderr.contains("held back by the shrink guard: the new copy has 0 entries, the cached one 2"))
        #expect(held.stderr.contains("hosts-client sync --accept-shrink office"))
        #expect(sandbox.file("cache/office.hosts") == cacheBefore)
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"))
        #expect(try sandbox.succeed(["status"]).stdout.contains("STALE: held back by the shrink guard"))

        // Not due yet, but a held segment is retried: the guard holds on every sync until told otherwise.
        #expect(!(try sandbox.run(["sync"])).ok)
        try sandbox.succeed(["sync", "--accept-shrink", "office"])
        #expect(!sandbox.blockLines.contains("10.0.0.2 beta"))
        #expect(sandbox.blockLines.contains("10.0.0.9 lab-one"))
    }

    /// `X-PseudoDNS-Profile` is not authenticated: an empty body naming a new view profile used to skip the
    /// shrink guard ("updated, 0 entries", the block emptied). Only a signature may say the view moved.
    @Test func aViewProfileHeaderDoesNotDisableTheShrinkGuard() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        // A failed fetch makes the segment due for a plain sync (--force would accept any shrink).
        server.route("/profiles/office") { _ in .status(503) }
        #expect(!(try sandbox.run(["sync", "--force"])).ok)
        server.route("/profiles/office") { _ in
            ScriptedResponse(status: 200, headers: [("ETag", "\"moved\""), ("X-PseudoDNS-Profile", "anything")])
        }
        let cacheBefore = sandbox.file("cache/office.hosts")

        let held = try sandbox.run(["sync"])
        #expect(held.status != 0, "\(held.stdout) \(held.stderr)")
        #expect(
            held.stderr.contains("held back by the shrink guard: the new copy has 0 entries, the cached one 2"),
            "\(held.stderr)")
        #expect(sandbox.file("cache/office.hosts") == cacheBefore)
        let meta = String(decoding: sandbox.file("cache/office.meta.json") ?? [], as: UTF8.self)
        #expect(!meta.contains("anything"), "meta.json took the held copy's view name: \(meta)")
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"))
    }

    @Test func largeShrinkIsHeldAndForceAcceptsIt() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        func hosts(_ count: Int) -> String { (1...count).map { "10.0.1.\($0) host-\($0)\n" }.joined() }
        /// Plain `sync` (no --force, which accepts any shrink) of `count` entries; a failed fetch first makes it due.
        func syncPlain(_ count: Int) throws -> ClientSandbox.Run {
            server.route("/profiles/office") { _ in .status(500) }
            _ = try sandbox.run(["sync", "--force"])
            server.serveHosts("/profiles/office", hosts(count), etag: "\"\(count)\"")
            return try sandbox.run(["sync"])
        }
        server.serveHosts("/profiles/office", hosts(10), etag: "\"10\"")
        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office")])

        // Five of ten kept is not "more than half dropped"; growth never is; four of ten is.
        #expect(try syncPlain(5).ok)
        #expect(sandbox.blockLines.count { $0.contains("host-") } == 5)
        #expect(try syncPlain(10).ok)
        let held = try syncPlain(4)
        #expect(!held.ok)
        #expect(held.stderr.contains("the new copy has 4 entries, the cached one 10"), "\(held.stderr)")
        #expect(sandbox.blockLines.count { $0.contains("host-") } == 10)

        try sandbox.succeed(["sync", "--force"])
        #expect(sandbox.blockLines.count { $0.contains("host-") } == 4)
        let unknown = try sandbox.run(["sync", "--accept-shrink", "nosuch"])
        #expect(!unknown.ok)
        #expect(unknown.stderr.contains("no segment named 'nosuch'"))
    }

    @Test func aSignedShrinkIsWhatTheSignerMeant() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        let feed = SignedFeed(server: server, name: "office")
        let key = SigningKey()
        try feed.publish(Self.office, key: key, serial: 1)
        try sandbox.succeed(["add", "office", "--url", feed.url, "--public-key", key.publicKey.base64])
        // A failed fetch (no signature) makes the segment due for a plain sync, which accepts no shrink by itself.
        feed.set(Self.office, signature: nil)
        #expect(!(try sandbox.run(["sync", "--force"])).ok)
        try feed.publish("", key: key, serial: 2)
        try sandbox.succeed(["sync"])
        #expect(!sandbox.blockLines.contains("10.0.0.2 beta"), "the signed, emptied copy applies")
    }

    @Test func notModifiedWithoutAValidatorIsAnError() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.route("/profiles/office") { _ in ScriptedResponse(status: 304) }
        let add = try sandbox.run(["add", "office", "--url", server.url("/profiles/office")])
        #expect(!add.ok)
        #expect(add.stderr.contains("304 Not Modified to a request without a validator"), "\(add.stderr)")
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
    }

    @Test func hugeOrTinyDurationsAndSizesAreRefusedAtParseTime() throws {
        let sandbox = try ClientSandbox()
        let configBefore = sandbox.file("config.json")
        let refused: [([String], String)] = [
            (["add", "office", "--url", "http://127.0.0.1:9/p", "--every", "1e20s"], "invalid duration '1e20s'"),
            (["add", "office", "--url", "http://127.0.0.1:9/p", "--every", "5s"], "out of range: use 10s to 7d"),
            (["config", "timeout", "1e300d"], "invalid duration '1e300d'"),
            (["config", "timeout", "2h"], "timeout: duration '2h' is out of range: use 1s to 1h"),
            (["config", "max-bytes", "10"], "max-bytes 10 is out of range: use 1 KiB to 1024 MiB"),
            (["config", "max-bytes", "99999999999999999999"], "max-bytes must be a whole number"),
            (["config", "keep-backups", "0"], "keep-backups 0 is out of range"),
            (["sync", "--timeout", "0s"], "--timeout: duration '0s' is out of range"),
            (["sync", "--timeout", "500ms"], "--timeout: duration '0.5s' is out of range: use 1s to 1h"),
            (["watch", "--every", "1e20s"], "invalid duration"),
        ]
        for (arguments, message) in refused {
            let run = try sandbox.run(arguments)
            #expect(run.status == 64, "\(arguments): exit \(run.status) \(run.stderr)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(!run.stderr.contains("Fatal error"), "\(arguments)")
        }
        #expect(sandbox.file("config.json") == configBefore, "a refused value leaves nothing behind")
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
        try sandbox.succeed(["config", "max-bytes", "16M"])
        #expect(try sandbox.succeed(["config", "max-bytes"]).stdout.contains("max-bytes 16777216"))
        // Milliseconds are the grammar's too: `1500ms` is the `1.5s` it always could be written as.
        try sandbox.succeed(["config", "timeout", "1500ms"])
        #expect(try sandbox.succeed(["config", "timeout"]).stdout.contains("timeout 1.5s"))
    }

    @Test func aHandEditedOutOfRangeValueNamesTheFile() throws {
        let sandbox = try ClientSandbox()
        try FileManager.default.createDirectory(atPath: sandbox.stateDirectory, withIntermediateDirectories: true)
        try sandbox.write("{\"settings\": {\"timeout\": \"1e300d\"}}\n", to: sandbox.stateDirectory + "/config.json")
        let run = try sandbox.run(["sync"])
        #expect(!run.ok)
        #expect(run.stderr.contains("config.json"), "\(run.stderr)")
        #expect(!run.stderr.contains("Fatal error"))
    }

    @Test func theLaterOfTwoRacingSyncsWins() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        // The first request after this point is slow and carries the older content; the next is quick and newer.
        let counter = Counter()
        server.route("/profiles/office") { _ in
            if counter.next() == 0 {
                var slow = ScriptedResponse.text("10.0.0.1 alpha\n10.0.0.3 older\n", etag: "\"old\"")
                slow.delay = 2
                return slow
            }
            return .text("10.0.0.1 alpha\n10.0.0.4 newer\n", etag: "\"new\"")
        }
        let requestsBefore = server.requests(to: "/profiles/office").count
        let first = try sandbox.launch(["sync", "--force"])
        try waitUntil("the first sync's request") { server.requests(to: "/profiles/office").count > requestsBefore }
        try sandbox.succeed(["sync", "--force"])
        #expect(first.process.isRunning, "the second sync did not wait for the first")
        first.process.waitUntilExit()
        _ = first.finish()
        #expect(sandbox.blockLines.contains("10.0.0.4 newer"))
        #expect(!sandbox.hosts.contains("older"))
        let meta = String(decoding: sandbox.file("cache/office.meta.json") ?? [], as: UTF8.self)
        #expect(meta.contains("\\\"new\\\""), "\(meta)")
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                defer { value += 1 }
                return value
            }
        }
    }
}
