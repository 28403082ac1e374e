import Foundation
import HostsCore
import TestSupport
import Testing

/// A name the machine's owner writes outside the managed block is answered by the owner's line alone: the client
/// keeps it out of the block, for both address families, as glibc (with Debian's `multi on`) shows.
@Suite(.enabled(if: ResolverNamespace.available, "needs root, unshare -m and /usr/bin/python3"))
struct OwnerNamesTests {
    /// The segment maps `db.corp` to a loopback address (which RFC 6724 sorts first) and to IPv6, and `ldap.corp`
    /// to IPv4 and IPv6; the owner writes `db.corp` above the block, then `LDAP.corp` (IPv4 only) below it.
    static let profile = "127.0.0.5 db.corp\nfd00::5 db.corp\n10.0.0.6 ldap.corp web.corp\nfd00::6 ldap.corp\n"
    static let owner = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n10.1.1.1 db.corp\n"

    @Test func aNameDefinedOutsideTheBlockIsAnsweredByTheOwnersLineAlone() async throws {
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/profiles/office", Self.profile, etag: "\"v1\"")
        let url = server.url("/profiles/office")
        try await offThePool { try Self.story(url: url) }
    }

    static func story(url: String) throws {
        let sandbox = try ClientSandbox(hosts: owner)
        let add = try sandbox.succeed(["add", "office", "--url", url])
        #expect(add.stdout.contains("kept out of the block: 1 name defined outside it (db.corp)\n"), "\(add.stdout)")
        let edited = sandbox.hosts + "10.1.1.2 LDAP.corp\n"
        try sandbox.write(edited, to: sandbox.hostsFile)
        let sync = try sandbox.run(["sync"])
        #expect(sync.status == 0, "the owner's choice is not an error: \(sync.stderr)")
        #expect(
            sync.stdout.contains("kept out of the block: 2 names defined outside it (db.corp, ldap.corp)\n"),
            "\(sync.stdout)")
        #expect(sandbox.hosts.hasPrefix(owner) && sandbox.hosts.hasSuffix("# END PSEUDODNS\n10.1.1.2 LDAP.corp\n"))
        #expect(sandbox.blockLines.filter { !$0.hasPrefix("#") } == ["10.0.0.6 web.corp"], "\(sandbox.hosts)")

        var answers = try ahosts(["db.corp", "ldap.corp", "web.corp"], in: sandbox)
        #expect(answers["db.corp"] == ["10.1.1.1"], "getent ahosts db.corp\n\(sandbox.hosts)")
        #expect(answers["ldap.corp"] == ["10.1.1.2"], "getent ahosts ldap.corp: no IPv6 from the block")
        #expect(answers["web.corp"] == ["10.0.0.6"], "the rest of the segment's line stays")
        let lookups = try ResolverNamespace.lookUp(
            ["db.corp", "ldap.corp"], hostsFile: sandbox.hostsFile, in: sandbox.root)
        #expect(lookups["db.corp"]?.gai == ["10.1.1.1"] && lookups["db.corp"]?.ghbn == ["10.1.1.1"], "\(lookups)")
        #expect(lookups["ldap.corp"]?.gai == ["10.1.1.2"] && lookups["ldap.corp"]?.ghbn == ["10.1.1.2"], "\(lookups)")

        let again = try sandbox.succeed(["apply"])
        #expect(again.stdout.contains("kept out of the block: 2 names") && again.stdout.contains("unchanged"))
        let status = try sandbox.succeed(["status"]).stdout
        #expect(
            status.contains(
                "kept out of the block: 2 names defined outside it (db.corp, ldap.corp)\n"
                    + "    db.corp: line 3 outside the block defines it (10.1.1.1); segment office line 1 "
                    + "(127.0.0.5) left out\n"), "\(status)")
        let json = try sandbox.succeed(["status", "--json"]).stdout
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let keptOut = (report?["kept_out"] as? [[String: Any]]) ?? []
        #expect(
            keptOut.map { "\($0["hostname"] ?? "") \($0["address"] ?? "") \($0["outside_address"] ?? "")" } == [
                "db.corp 127.0.0.5 10.1.1.1", "db.corp fd00::5 10.1.1.1", "ldap.corp 10.0.0.6 10.1.1.2",
                "ldap.corp fd00::6 10.1.1.2",
            ])
        let doctor = try sandbox.run(["doctor"])
        #expect(doctor.status == 0 && doctor.stdout.contains("kept out of the block: 2 names"), "\(doctor.stdout)")
        // doctor --json carries them too, in status --json's shape (before, it printed the findings alone).
        let doctorJSON = try sandbox.succeed(["doctor", "--json"]).stdout
        let doctorReport = try JSONSerialization.jsonObject(with: Data(doctorJSON.utf8)) as? [String: Any]
        #expect((doctorReport?["findings"] as? [Any])?.isEmpty == true, "\(doctorJSON)")
        let doctorKeptOut = try #require(doctorReport?["kept_out"] as? [[String: Any]], "\(doctorJSON)")
        #expect(NSArray(array: doctorKeptOut).isEqual(to: keptOut), "\(doctorJSON)")
        #expect(keptOut.count == 4)

        // The owner takes the hand-written line out: the segment's addresses answer the name again.
        try sandbox.write(sandbox.hosts.replacingOccurrences(of: "10.1.1.1 db.corp\n", with: ""), to: sandbox.hostsFile)
        let apply = try sandbox.succeed(["apply"])
        #expect(
            apply.stdout.contains("kept out of the block: 1 name defined outside it (ldap.corp)\n"), "\(apply.stdout)")
        answers = try ahosts(["db.corp", "ldap.corp"], in: sandbox)
        #expect(answers["db.corp"].map(Set.init) == ["127.0.0.5", "fd00::5"], "\(sandbox.hosts)")
        #expect(answers["ldap.corp"] == ["10.1.1.2"])
    }

    /// `getent ahosts NAME` for each name in a private mount namespace where the sandbox file is /etc/hosts: the
    /// distinct addresses, in the order getaddrinfo returned them (empty: no answer).
    static func ahosts(_ names: [String], in sandbox: ClientSandbox) throws -> [String: [String]] {
        let script = names.map { "echo \"== \($0)\"\ngetent ahosts \($0) || true\n" }.joined()
        let output = try ResolverNamespace.run(script, hostsFile: sandbox.hostsFile, in: sandbox.root)
        guard output.status == 0 else { throw SandboxError("getent failed: \(output.stderr)") }
        var answers: [String: [String]] = [:]
        var current = ""
        for line in output.stdout.split(separator: "\n") {
            if line.hasPrefix("== ") {
                current = String(line.dropFirst(3))
                answers[current] = []
            } else if let address = line.split(separator: " ").first.map(String.init),
                answers[current]?.contains(address) == false
            {
                answers[current]!.append(address)
            }
        }
        return answers
    }
}

/// Machines upgrade with a block the version before wrote, names of the owner's in it.
@Suite struct OwnerNamesAfterUpgradeTests {
    /// The old `applied.json` matched the file and the inputs, so the unchanged fast path kept the old block (seen
    /// with the version before this change's binary): the merge version in the inputs' digest makes the first apply
    /// after an upgrade merge again.
    @Test func theFirstApplyAfterAnUpgradeKeepsTheOwnersNamesOut() throws {
        let sandbox = try ClientSandbox(hosts: "10.1.1.1 db.corp\n")
        try sandbox.write("127.0.0.5 db.corp\n10.0.0.6 web.corp\n", to: sandbox.root + "/office.hosts")
        try sandbox.succeed(["add", "office", "--local", "--from", sandbox.root + "/office.hosts"])
        let old =
            "10.1.1.1 db.corp\n\(HostsDocument.beginMarker)\n# segment office — local\n10.0.0.6  web.corp\n"
            + "127.0.0.5 db.corp\n\(HostsDocument.endMarker)\n"
        try sandbox.write(old, to: sandbox.hostsFile)
        let segment = try #require(sandbox.file("local/office.hosts"))
        let digest = SHA256Hex.of(Array("pseudodns-merge-v1\noffice\tlocal\t\(SHA256Hex.of(segment))\n".utf8))
        let applied = "{\"inputs\":\"\(digest)\",\"hosts_sha256\":\"\(SHA256Hex.of(Array(old.utf8)))\"}\n"
        try sandbox.write(applied, to: sandbox.stateDirectory + "/applied.json")
        chmod(sandbox.stateDirectory + "/applied.json", 0o600)

        let apply = try sandbox.succeed(["apply"])
        #expect(apply.stdout.contains("kept out of the block: 1 name defined outside it (db.corp)"), "\(apply.stdout)")
        #expect(sandbox.blockLines.filter { !$0.hasPrefix("#") } == ["10.0.0.6 web.corp"], "\(sandbox.hosts)")
    }
}
