import Foundation
import HostsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `hostname-rules: permissive` end to end: Name tags with underscores in moto → hosts-generator → hosts-server →
/// hosts-client on a sandbox hosts file → glibc's resolver, asked inside a private mount namespace where the
/// sandbox file is bind-mounted over /etc/hosts (the machine's own is never touched).
@Suite(.enabled(if: MotoServer.canRun, "moto_server not installed"))
struct PermissiveNamesTests {
    static let resolverAvailable =
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/getent")

    static func config(endpoint: String, prefix: String) -> String {
        """
        sources:
          - name: tokyo
            region: ap-northeast-1
            endpoint: \(endpoint)
        hostname-rules: permissive
        profiles:
          - name: estate
            prefixes: [\(prefix)]
            address: private
            hostnames: ["{name}", "{name}._tcp.corp"]
            include: [static/legacy.hosts]
          - name: tidy
            hostname-rules: strict
            prefixes: [\(prefix)]
            address: private
        output: pub
        """
    }

    @Test(.enabled(if: resolverAvailable, "needs root, unshare and getent"))
    func underscoreNamesResolveFromTheClientsHostsFile() async throws {
        let endpoint = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("apne1a-db")
        let created = try await offThePool {
            try MotoSeeder(endpoint: endpoint).create([
                .init(name: "DB_Primary", prefix: prefix), .init(name: "_sip", prefix: prefix),
            ])
        }
        let db = try #require(created.first?.privateIP)
        let sip = try #require(created.last?.privateIP)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        chmod(folder.path, 0o755)
        try folder.write("static/legacy.hosts", "203.0.113.7 ldap_master.corp\n")
        let config = try folder.write("p.yml", Self.config(endpoint: endpoint, prefix: prefix))

        let check = try await offThePool { try GeneratorRun.run(["check", "--config", config]) }
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("(permissive rules)"), "\(check.stdout)")
        let run = try await offThePool { try GeneratorRun.run(["generate", "--config", config]) }
        try #require(run.status == 0, "\(run.stderr)")

        func names(_ profile: String) throws -> [String: [String]] {
            let bytes = try AtomicFile.read(folder.file("pub/\(PublishedLayout.profileFile(profile))"))
            var out: [String: [String]] = [:]
            for entry in try StrictParser.parse(bytes, source: profile) {
                out[entry.address.description] = entry.hostnames.map(\.value)
            }
            return out
        }
        #expect(
            try names("estate") == [
                db: ["db_primary", "db_primary._tcp.corp"], sip: ["_sip", "_sip._tcp.corp"],
                "203.0.113.7": ["ldap_master.corp"],
            ])
        // The same instances under the strict rules: hyphens, and a leading underscore trimmed.
        #expect(try names("tidy") == [db: ["db-primary"], sip: ["sip"]])

        let server = try HostsServerProcess(directory: folder.file("pub"))
        defer { server.stop() }
        let sandbox = folder.file("client")
        try FileManager.default.createDirectory(atPath: sandbox + "/etc", withIntermediateDirectories: true)
        chmod(sandbox, 0o755)
        let hostsFile = sandbox + "/etc/hosts"
        try folder.write("client/etc/hosts", "127.0.0.1 localhost\n")
        let client = try BuiltProducts.path(of: "hosts-client")
        func hostsClient(_ arguments: [String]) async throws -> BuiltProducts.Result {
            let full = arguments + ["--hosts-file", hostsFile, "--state-dir", sandbox + "/state"]
            return try await offThePool { try BuiltProducts.run(client, full) }
        }
        let add = try await hostsClient(["add", "estate", "--url", server.url("/profiles/estate")])
        try #require(add.status == 0, "\(add.stderr)")
        let sync = try await hostsClient(["sync", "--force"])
        #expect(sync.status == 0, "\(sync.stderr)")

        // getent asks glibc's files backend, as every program on the machine would.
        let lookups = ["db_primary", "_sip._tcp.corp", "ldap_master.corp", "db-primary"]
        let script =
            "mount --bind \"$1\" /etc/hosts || exit 90\nshift\nfor name in \"$@\"; do getent hosts \"$name\" "
            + "|| echo \"missing $name\"; done"
        let answer = try await offThePool {
            try BuiltProducts.run(
                "/usr/bin/timeout",
                ["-s", "KILL", "120", "/usr/bin/unshare", "-m", "/bin/sh", "-c", script, "sh", hostsFile] + lookups)
        }
        #expect(answer.status == 0, "\(answer.stderr)")
        let lines = answer.stdout.split(separator: "\n").map {
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        #expect(lines.first == [db, "db_primary", "db_primary._tcp.corp"], "\(answer.stdout)")
        #expect(lines.contains([sip, "_sip", "_sip._tcp.corp"]), "\(answer.stdout)")
        #expect(lines.contains(["203.0.113.7", "ldap_master.corp"]), "\(answer.stdout)")
        // Only the estate profile was subscribed: its strict twin's name is not there.
        #expect(lines.last == ["missing", "db-primary"], "\(answer.stdout)")
    }

    /// Under strict rules an include (or a template) with an underscore is refused by name, with the key that
    /// allows it; nothing is published for that profile.
    @Test func strictRulesRefuseUnderscoresInIncludesAndTemplates() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("static/legacy.hosts", "# kept by hand\n203.0.113.7 ldap_master.corp\n")
        let strict = Self.config(endpoint: "http://127.0.0.1:9", prefix: "p").replacingOccurrences(
            of: "hostname-rules: permissive\n", with: "")
        let path = try folder.write("p.yml", strict)
        let check = try await offThePool { try GeneratorRun.run(["check", "--config", path]) }
        #expect(check.status != 0)
        #expect(
            check.stderr.contains("profiles[0].hostnames[1]: '{name}._tcp.corp' does not make a valid hostname"),
            "\(check.stderr)")
        #expect(check.stderr.contains("hostname-rules: permissive keeps underscores"), "\(check.stderr)")

        let templated = strict.replacingOccurrences(of: "\"{name}._tcp.corp\"", with: "\"{name}.corp\"")
        try folder.write("p.yml", templated)
        let include = try await offThePool { try GeneratorRun.run(["check", "--config", path]) }
        #expect(include.status != 0)
        #expect(
            include.stderr.contains(
                "profiles[0].include[0]: include \(folder.file("static/legacy.hosts")):2: 'ldap_master.corp' has '_', "
                    + "which hostname-rules: strict does not allow"), "\(include.stderr)")

        try folder.write("p.yml", templated.replacingOccurrences(of: "strict", with: "loose"))
        let bad = try await offThePool { try GeneratorRun.run(["check", "--config", path]) }
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("profiles[1].hostname-rules: must be strict"), "\(bad.stderr)")
    }
}
