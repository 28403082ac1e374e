import Foundation
import HostsCore
import TestSupport
import Testing

/// Segments with a pinned key: every way a signed feed can be forged, replayed, frozen or swapped is refused with
/// the last good copy kept; a rotation to a new key is accepted.
@Suite struct SignedSegmentTests {
    static let good = "10.0.0.1 alpha\n10.0.0.2 beta\n"
    static let evil = "10.0.0.1 alpha\n203.0.113.66 beta\n"

    /// A sandbox subscribed to a signed "office" feed, first fetch accepted at `serial`.
    func subscribed(serial: UInt64 = 5, extra: [String] = []) throws -> (
        ClientSandbox, ScriptedHTTPServer, SignedFeed, SigningKey
    ) {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        let feed = SignedFeed(server: server, name: "office")
        let key = SigningKey()
        try feed.publish(Self.good, key: key, serial: serial)
        try sandbox.succeed(["add", "office", "--url", feed.url, "--public-key", key.publicKey.base64] + extra)
        try sandbox.succeed(["config", "timeout", "2s"])
        return (sandbox, server, feed, key)
    }

    /// Runs `sync --force`, expects it to fail naming `check`, and the cache and the hosts file unchanged.
    func expectRefused(
        _ sandbox: ClientSandbox, naming check: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let cache = sandbox.file("cache/office.hosts")
        let hosts = sandbox.hostsBytes
        let sync = try sandbox.run(["sync", "--force"])
        #expect(!sync.ok, "sync must fail", sourceLocation: sourceLocation)
        #expect(sync.stderr.contains("signature check failed"), "\(sync.stderr)", sourceLocation: sourceLocation)
        #expect(sync.stderr.contains(check), "\(sync.stderr)", sourceLocation: sourceLocation)
        #expect(sandbox.file("cache/office.hosts") == cache, "cache kept", sourceLocation: sourceLocation)
        #expect(sandbox.hostsBytes == hosts, "hosts file unchanged", sourceLocation: sourceLocation)
        #expect(!sandbox.hosts.contains("203.0.113.66"), sourceLocation: sourceLocation)
        let status = try sandbox.run(["status"])
        #expect(status.stdout.contains("STALE: signature check failed"), sourceLocation: sourceLocation)
    }

    @Test func validSignatureIsAcceptedAndRecorded() throws {
        let (sandbox, server, feed, key) = try subscribed()
        defer { server.stop() }
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"))
        try feed.publish("10.0.0.1 alpha\n10.0.0.3 gamma\n", key: key, serial: 6)
        let sync = try sandbox.succeed(["sync", "--force"])
        #expect(sync.stdout.contains("office: updated, 2 entries"))
        #expect(sandbox.blockLines.contains("10.0.0.3 gamma"))
        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("signed: serial 6, key \(key.publicKey.keyID)"))
        #expect(status.stdout.contains("pinned key \(key.publicKey.keyID)"))
        #expect(!status.stdout.contains("WARNING"), "pinned: no plain-http warning")
    }

    @Test func tamperedBytesAreRefused() throws {
        let (sandbox, server, feed, _) = try subscribed()
        defer { server.stop() }
        feed.set(Self.evil, signature: feed.current.1)
        try expectRefused(sandbox, naming: "sha256")
    }

    @Test func swappedProfileIsRefused() throws {
        let (sandbox, server, feed, key) = try subscribed()
        defer { server.stop() }
        // The remote profile's content with its own valid signature, served where office should be.
        try feed.publish("10.9.0.1 alpha\n", key: key, serial: 9, profile: "remote")
        try expectRefused(sandbox, naming: "swapped profile")
    }

    @Test func olderSerialIsRefusedAsRollback() throws {
        let (sandbox, server, feed, key) = try subscribed(serial: 5)
        defer { server.stop() }
        try feed.publish(Self.evil, key: key, serial: 4)
        try expectRefused(sandbox, naming: "rollback")
    }

    @Test func expiredSignatureIsRefusedEvenOnNotModified() throws {
        let (sandbox, server, feed, key) = try subscribed(extra: ["--max-age", "1h"])
        defer { server.stop() }
        // Same bytes (the profile answers 304), but the feed stopped being re-signed two hours ago.
        try feed.publish(Self.good, key: key, serial: 5, signedAt: Date().addingTimeInterval(-7200))
        try expectRefused(sandbox, naming: "frozen feed")
        #expect(server.requests(to: "/profiles/office").last?.headers["if-none-match"] != nil)
    }

    @Test func missingSignatureIsRefused() throws {
        let (sandbox, server, feed, _) = try subscribed()
        defer { server.stop() }
        feed.set(Self.evil, signature: nil)
        try expectRefused(sandbox, naming: "signature missing")
    }

    @Test func wrongKeyIsRefused() throws {
        let (sandbox, server, feed, _) = try subscribed()
        defer { server.stop() }
        try feed.publish(Self.evil, key: SigningKey(), serial: 6)
        try expectRefused(sandbox, naming: "does not verify with any pinned key")
    }

    @Test func firstFetchWithABadSignatureAddsNothing() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        let feed = SignedFeed(server: server, name: "office")
        try feed.publish(Self.good, key: SigningKey(), serial: 1)
        let add = try sandbox.run(["add", "office", "--url", feed.url, "--public-key", SigningKey().publicKey.base64])
        #expect(!add.ok)
        #expect(add.stderr.contains("not added: signature check failed"))
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
    }

    /// The generator renames the profile before its signature: a client between the two fetches both again.
    @Test func digestMismatchIsRetriedOnce() throws {
        let (sandbox, server, feed, key) = try subscribed()
        defer { server.stop() }
        let next = "10.0.0.1 alpha\n10.0.0.4 delta\n"
        let old = try ProfileSignature.sign(
            profile: "office", content: Array(Self.good.utf8), serial: 5, at: Date(), key: key)
        let new = try ProfileSignature.sign(
            profile: "office", content: Array(next.utf8), serial: 6, at: Date(), key: key)
        let signatureRequests = LockedCounter()
        server.route("/profiles/office.sig") { _ in
            // First answer: the signature of the previous content (not renamed yet); then the new one.
            let body = signatureRequests.next() == 1 ? try! old.encoded() : try! new.encoded()
            return ScriptedResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body))
        }
        feed.set(next, signature: nil)
        let sync = try sandbox.succeed(["sync", "--force"])
        #expect(sync.stdout.contains("office: updated"))
        #expect(sandbox.blockLines.contains("10.0.0.4 delta"))
        #expect(server.requests(to: "/profiles/office.sig").count >= 2)
    }

    @Test func rotationToANewKeyIsAccepted() throws {
        let (sandbox, server, feed, oldKey) = try subscribed()
        defer { server.stop() }
        let newKey = SigningKey()
        // 1. Clients pin old and new.
        let pin = try sandbox.succeed([
            "trust", "office", "--public-key", "\(oldKey.publicKey.base64),\(newKey.publicKey.base64)",
        ])
        #expect(pin.stdout.contains("pinned keys \(oldKey.publicKey.keyID),\(newKey.publicKey.keyID)"))
        // 2. The generator switches keys: accepted.
        try feed.publish("10.0.0.1 alpha\n10.0.0.5 epsilon\n", key: newKey, serial: 6)
        try sandbox.succeed(["sync", "--force"])
        #expect(sandbox.blockLines.contains("10.0.0.5 epsilon"))
        // 3. The old key is dropped: something signed with it is now refused.
        let keyFile = sandbox.root + "/new.pub"
        try sandbox.write(newKey.publicKey.base64 + "\n", to: keyFile)
        try sandbox.succeed(["trust", "office", "--public-key-file", keyFile])
        try feed.publish(Self.evil, key: oldKey, serial: 7)
        try expectRefused(sandbox, naming: "does not verify")
    }

    @Test func plainHTTPWithoutAPinnedKeyIsWarnedAbout() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/profiles/office", Self.good, etag: "\"v1\"")
        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office")])
        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("WARNING: plain http:// without a pinned key"))
        let json = try sandbox.succeed(["status", "--json"])
        #expect(json.stdout.contains("\"warnings\""))
    }

    @Test func badPublicKeyIsRejectedAtAdd() throws {
        let sandbox = try ClientSandbox()
        let add = try sandbox.run(["add", "office", "--url", "http://127.0.0.1:1/x", "--public-key", "not-a-key"])
        #expect(!add.ok)
        #expect(add.stderr.contains("--public-key"))
    }
}

/// A thread-safe counter for scripted handlers.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
