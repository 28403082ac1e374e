import Foundation
import HostsCore
import TestSupport
import Testing

/// The real generator key, the real hosts-server, the real hosts-client, and a proxy between the last two that
/// rewrites one address in transit: the client must refuse it and keep the hosts file as it was.
@Suite struct ManInTheMiddleTests {
    static let profile = "10.0.0.1 alpha\n10.0.0.2 mail\n"

    /// A published directory with `office.hosts` signed by a key made with `hosts-generator keygen`.
    struct Published {
        var directory: String
        var publicKey: String
    }

    func publish(in root: String) throws -> Published {
        let keys = root + "/keys"
        let keygen = try BuiltProducts.run(
            try BuiltProducts.path(of: "hosts-generator"), ["keygen", "--out", keys])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let key = try SigningKey(contentsOf: keys + "/pseudodns-signing.key")
        #expect(keygen.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == key.publicKey.base64)
        let directory = root + "/published"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bytes = Array(Self.profile.utf8)
        try AtomicFile.write(bytes, to: directory + "/office.hosts")
        let signature = try ProfileSignature.sign(profile: "office", content: bytes, serial: 1, at: Date(), key: key)
        try AtomicFile.write(Array(try signature.encoded()), to: directory + "/office.hosts.sig")
        return Published(directory: directory, publicKey: key.publicKey.base64)
    }

    @Test func rewrittenAddressIsRefusedAndTheHostsFileKept() throws {
        let root = try TemporaryTree()
        let published = try publish(in: root.path)
        let server = try HostsServerProcess(directory: published.directory)
        defer { server.stop() }
        let proxy = try RewritingProxy(
            upstreamPort: server.port, replacing: "10.0.0.2", with: "203.0.113.66", rewriting: false)
        defer { proxy.stop() }

        // Subscribed through the proxy while it still passes bytes through untouched.
        let client = try ClientRunner(root: root.path + "/via-proxy")
        let add = try client.run([
            "add", "office", "--url", proxy.url("/profiles/office"), "--public-key", published.publicKey,
        ])
        #expect(add.status == 0, "\(add.stderr)")
        let before = client.hosts
        #expect(before.contains("10.0.0.2"))

        // The attacker starts rewriting: the client refuses, names the digest check, keeps the file.
        proxy.setRewriting(true)
        let attacked = try client.run(["sync", "--force"])
        #expect(attacked.status != 0)
        #expect(attacked.stderr.contains("signature check failed"), "\(attacked.stderr)")
        #expect(attacked.stderr.contains("does not match its signature's sha256"), "\(attacked.stderr)")
        #expect(proxy.rewriteCount >= 2, "the profile was rewritten (and fetched again once)")
        #expect(client.hosts == before)
        #expect(!client.hosts.contains("203.0.113.66"))

        // Without a pinned key the same proxy gets its address into the hosts file: the attack is real.
        let unpinned = try ClientRunner(root: root.path + "/unpinned")
        let unpinnedAdd = try unpinned.run(["add", "office", "--url", proxy.url("/profiles/office")])
        #expect(unpinnedAdd.status == 0, "\(unpinnedAdd.stderr)")
        #expect(unpinned.hosts.contains("203.0.113.66"))

        // The same sync straight to the server succeeds.
        let direct = try ClientRunner(root: root.path + "/direct")
        let directAdd = try direct.run([
            "add", "office", "--url", server.url("/profiles/office"), "--public-key", published.publicKey,
        ])
        #expect(directAdd.status == 0, "\(directAdd.stderr)")
        let directSync = try direct.run(["sync", "--force"])
        #expect(directSync.status == 0, "\(directSync.stderr)")
        #expect(direct.hosts.contains("10.0.0.2"))
        #expect(!direct.hosts.contains("203.0.113.66"))
    }
}

/// A temp directory removed when the value goes away.
final class TemporaryTree {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/pseudodns-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The real `hosts-client` with its own state directory and hosts file under `root`.
struct ClientRunner {
    var root: String
    var hostsFile: String { root + "/hosts" }

    init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root + "/state", withIntermediateDirectories: true)
        try AtomicFile.write(Array("127.0.0.1 localhost\n".utf8), to: root + "/hosts")
    }

    var hosts: String { (try? String(contentsOfFile: hostsFile, encoding: .utf8)) ?? "" }

    func run(_ arguments: [String]) throws -> BuiltProducts.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["PSEUDODNS_STATE_DIR"] = nil
        environment["PSEUDODNS_HOSTS_FILE"] = nil
        return try BuiltProducts.run(
            try BuiltProducts.path(of: "hosts-client"),
            arguments + ["--state-dir", root + "/state", "--hosts-file", hostsFile], environment: environment)
    }
}
