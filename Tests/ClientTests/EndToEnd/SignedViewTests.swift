import Foundation
import HostsCore
import TestSupport
import Testing

/// A segment on a server-side view, pinned to the generator's key: the real hosts-server serves `office` or
/// `remote` at `/profiles/auto` depending on where the client is, each signed as itself; the client accepts either
/// when told `--profile-name office,remote`, and keeps each profile's serials apart.
@Suite struct SignedViewTests {
    static let office = "203.0.113.10 web1\n203.0.113.11 web2\n"
    static let remote = "10.0.0.10 web1\n10.0.0.11 web2\n"

    /// A published directory as the generator writes it: both profiles signed, index.json with the view `auto`,
    /// whose office range is `officeRange` (the client connects from 127.0.0.1).
    struct Published {
        let path: String
        let key = SigningKey()

        init() throws {
            path = FileManager.default.temporaryDirectory.path + "/signed-view-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        func publish(office serial: UInt64, remote remoteSerial: UInt64, officeRange: String) throws {
            for (name, text, number) in [("office", office, serial), ("remote", remote, remoteSerial)] {
                try AtomicFile.write(Array(text.utf8), to: "\(path)/\(name).hosts")
                let signature = try ProfileSignature.sign(
                    profile: name, content: Array(text.utf8), serial: number, at: Date(), key: key)
                try AtomicFile.write(Array(try signature.encoded()), to: "\(path)/\(name).hosts.sig")
            }
            try setView(officeRange: officeRange)
        }

        func setView(officeRange: String) throws {
            let date = Date()
            let records = [("office", office), ("remote", remote)].map { name, text in
                ProfileRecord.of(name, text, entries: 2, at: date)
            }
            let view = ViewRecord(
                name: "auto",
                choose: [
                    ViewChoice(profile: "office", from: [try CIDR(parsing: officeRange)]),
                    ViewChoice(profile: "remote"),
                ])
            try AtomicFile.write(
                Array(try ProfileIndex(profiles: records, views: [view]).encoded()), to: "\(path)/index.json")
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Waits (bounded, 10 s) until the server answers the view's signature from 127.0.0.1 for `profile` at `serial`
    /// (any serial when nil): it polls its directory once a second.
    func waitUntilServed(_ profile: String, serial: UInt64? = nil, server: HostsServerProcess) async throws {
        for _ in 0..<200 {
            let answer = try await RawHTTPClient.request(
                "GET", "/profiles/auto.sig", port: server.port, from: "127.0.0.1")
            if let signature = try? ProfileSignature.decode(Data(answer.body)), signature.profile == profile,
                serial == nil || signature.serial == serial
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the server never served \(profile) \(serial.map { "at serial \($0)" } ?? "")")
    }

    @Test func aPinnedSegmentAcceptsEitherProfileOfTheViewAcrossAMove() async throws {
        let published = try Published()
        defer { published.remove() }
        // office's serials are far ahead of remote's: each profile counts on its own.
        try published.publish(office: 50, remote: 3, officeRange: "127.0.0.1/32")
        let server = try HostsServerProcess(directory: published.path)
        defer { server.stop() }
        let sandbox = try ClientSandbox()
        let key = published.key.publicKey.base64
        try sandbox.succeed([
            "add", "auto", "--url", server.url("/profiles/auto"), "--public-key", key, "--profile-name",
            "office,remote",
        ])
        #expect(sandbox.blockLines.contains("203.0.113.10 web1"), "at the office: office")
        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("profile office,remote"), "\(status.stdout)")

        // The machine "moves": the server now sees its address outside the office range.
        try published.setView(officeRange: "127.0.0.9/32")
        try await waitUntilServed("remote", server: server)
        let away = try sandbox.succeed(["sync", "--force"])
        #expect(away.stdout.contains("auto: updated"), "\(away.stdout)")
        #expect(sandbox.blockLines.contains("10.0.0.10 web1"), "away: remote, although its serial 3 is below 50")
        #expect(!sandbox.blockLines.contains("203.0.113.10 web1"))

        // And back: office's own floor (50) still holds.
        try published.setView(officeRange: "127.0.0.1/32")
        try await waitUntilServed("office", server: server)
        try sandbox.succeed(["sync", "--force"])
        #expect(sandbox.blockLines.contains("203.0.113.10 web1"))

        // A rollback of one profile is still refused.
        try published.publish(office: 49, remote: 3, officeRange: "127.0.0.1/32")
        try await waitUntilServed("office", serial: 49, server: server)
        let rollback = try sandbox.run(["sync", "--force"])
        #expect(!rollback.ok)
        #expect(rollback.stderr.contains("serial 49 is older than the last accepted 50"), "\(rollback.stderr)")
    }

    @Test func aProfileOutsideTheListIsRefused() async throws {
        let published = try Published()
        defer { published.remove() }
        try published.publish(office: 7, remote: 7, officeRange: "127.0.0.1/32")
        let server = try HostsServerProcess(directory: published.path)
        defer { server.stop() }
        let sandbox = try ClientSandbox()
        let add = try sandbox.run([
            "add", "auto", "--url", server.url("/profiles/auto"), "--public-key", published.key.publicKey.base64,
            "--profile-name", "remote,lab",
        ])
        #expect(!add.ok)
        #expect(
            add.stderr.contains("signature is for profile 'office', not 'remote' or 'lab' (swapped profile)"),
            "\(add.stderr)")
        #expect(!sandbox.hosts.contains("203.0.113.10"))
        // Without --profile-name the URL's last component, `auto`, is expected: no profile is signed as that.
        let plain = try sandbox.run([
            "add", "plain", "--url", server.url("/profiles/auto"), "--public-key", published.key.publicKey.base64,
        ])
        #expect(!plain.ok)
        #expect(plain.stderr.contains("not 'auto' (swapped profile)"), "\(plain.stderr)")
        #expect(
            try sandbox.run(["add", "bad", "--url", server.url("/profiles/auto"), "--profile-name", "Office"]).ok
                == false)
    }
}
