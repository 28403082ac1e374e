import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// State that keeps the user's intent: restore pauses, backups know their file, damage stays local and heals.
@Suite struct StateRecoveryTests {
    @Test func restoreThenSyncWritesNothingUntilResume() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n", etag: "\"v1\"")
        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office")])
        #expect(sandbox.blockLines.contains("10.0.0.1 alpha"))

        let restore = try sandbox.succeed(["restore"])
        #expect(restore.stdout.contains("writes paused"), "\(restore.stdout)")
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
        let id = try #require(
            restore.stdout.split(separator: " ").dropFirst().first.map(String.init), "\(restore.stdout)")

        server.serveHosts("/profiles/office", "10.0.0.7 gamma\n", etag: "\"v2\"")
        let sync = try sandbox.run(["sync", "--force"])
        #expect(sync.ok, "a paused sync still succeeds: \(sync.stderr)")
        #expect(sync.stdout.contains("office: updated"), "it still fetches: \(sync.stdout)")
        #expect(sync.stdout.contains("not written: paused since"), "\(sync.stdout)")
        #expect(sandbox.hosts == ClientSandbox.originalHosts, "a sync after restore wrote the hosts file")

        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.hasPrefix("PAUSED: paused since "), "\(status.stdout)")
        #expect(status.stdout.contains("backup \(id) restored"), "\(status.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(try sandbox.succeed(["status", "--json"]).stdout.utf8))
        #expect(((json as? [String: Any])?["paused"] as? [String: Any])?["backup"] as? String == id)

        let apply = try sandbox.run(["apply"])
        #expect(apply.status == 75, "\(apply.status) \(apply.stderr)")
        #expect(apply.stderr.contains("hosts-client resume"))
        try sandbox.succeed(["disable", "office"])
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
        try sandbox.succeed(["enable", "office"])

        let resume = try sandbox.succeed(["resume"])
        #expect(resume.stdout.contains("resumed"), "\(resume.stdout)")
        #expect(sandbox.blockLines.contains("10.0.0.7 gamma"))
        #expect(sandbox.outsideBlock == ClientSandbox.originalHosts)
        #expect(!(try sandbox.succeed(["status"]).stdout.contains("PAUSED")))
    }

    @Test func backupIsNotRestoredOntoAnotherFile() throws {
        let sandbox = try ClientSandbox()
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])
        let other = sandbox.root + "/etc/other-hosts"
        try sandbox.write("127.0.0.1 other-machine\n", to: other)

        let refused = try sandbox.run(["restore"], hostsFile: other)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("was taken of \(sandbox.hostsFile), not \(other)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("hosts-client restore ") && refused.stderr.contains("--onto-other-file"))
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "127.0.0.1 other-machine\n")

        let list = try sandbox.succeed(["backups"])
        #expect(list.stdout.contains("of \(sandbox.hostsFile)"), "\(list.stdout)")

        let forced = try sandbox.run(["restore", "--onto-other-file"], hostsFile: other)
        #expect(forced.ok, "\(forced.stderr)")
        #expect(try String(contentsOfFile: other, encoding: .utf8) == ClientSandbox.originalHosts)
    }

    @Test func damagedConfigAndMetaAreNamedAndDoctorRepairsThem() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n", etag: "\"v1\"")
        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office")])
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])
        let state = sandbox.stateDirectory

        // One bad meta file: only its segment is affected, and a sync heals it.
        try sandbox.write("{not json", to: state + "/cache/office.meta.json")
        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("\(state)/cache/office.meta.json is not valid"), "\(status.stdout)")
        #expect(status.stdout.contains("on  lab  local"), "\(status.stdout)")
        try sandbox.succeed(["list"])
        let doctor = try sandbox.run(["doctor"])
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("\(state)/cache/office.meta.json:"), "\(doctor.stdout)")
        let sync = try sandbox.succeed(["sync"])
        #expect(sync.stderr.contains("office.meta.json is not valid"), "named once: \(sync.stderr)")
        #expect(sync.stdout.contains("office: updated"))
        #expect(try sandbox.succeed(["doctor"]).stdout.contains("no problems found"))

        // A damaged config: commands that need it say which file and what to run; restore and backups still work.
        let good = sandbox.hostsBytes
        try sandbox.write(#"{"segments": [{"name": "office""#, to: state + "/config.json")
        let list = try sandbox.run(["list"])
        #expect(list.status == 65, "\(list.status) \(list.stderr)")
        #expect(list.stderr.contains("\(state)/config.json is not valid"), "\(list.stderr)")
        #expect(list.stderr.contains("hosts-client doctor"))
        let damaged = try sandbox.succeed(["status"])
        #expect(damaged.stdout.contains("CONFIG: \(state)/config.json is not valid"), "\(damaged.stdout)")
        try sandbox.succeed(["backups"])
        let restore = try sandbox.succeed(["restore"])
        #expect(restore.stderr.contains("restoring with default settings"), "\(restore.stderr)")
        #expect(sandbox.hostsBytes != good)

        let findings = try sandbox.run(["doctor"])
        #expect(findings.status == 1)
        #expect(findings.stdout.contains("\(state)/config.json:"), "\(findings.stdout)")
        let fixed = try sandbox.run(["doctor", "--fix"])
        #expect(fixed.ok, "\(fixed.stdout) \(fixed.stderr)")
        #expect(fixed.stdout.contains("fixed \(state)/config.json"), "\(fixed.stdout)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: state).contains { $0.hasPrefix("config.json.bad-") })
        let rebuilt = try sandbox.succeed(["list"])
        #expect(rebuilt.stdout.contains("on  lab"), "\(rebuilt.stdout)")
        #expect(rebuilt.stdout.contains("off office"), "remote segments come back off: \(rebuilt.stdout)")
        #expect(try sandbox.succeed(["doctor"]).stdout.contains("no problems found"))
    }

    @Test func localSegmentBrokenByHandKeepsItsLastGoodVersion() throws {
        let sandbox = try ClientSandbox()
        try sandbox.write("10.0.0.3 gamma\n10.0.0.4 delta\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])
        try sandbox.write("10.0.0.9 nine\n", to: sandbox.root + "/other.hosts")
        try sandbox.succeed(["add", "other", "--local", "--from", sandbox.root + "/other.hosts"])
        let file = sandbox.stateDirectory + "/local/lab.hosts"
        try sandbox.write("10.0.0.3 gamma\nnot-an-address host\n10.0.0.5 epsilon\n", to: file)

        let apply = try sandbox.run(["apply"])
        #expect(apply.status != 0)
        #expect(apply.stderr.contains("segment lab is broken: \(file):2:"), "\(apply.stderr)")
        #expect(apply.stderr.contains("last good version stays in use"))
        #expect(sandbox.blockLines.contains("10.0.0.4 delta"), "the last good version was dropped")
        #expect(!sandbox.hosts.contains("epsilon"))
        #expect(sandbox.blockLines.contains("10.0.0.9 nine"))
        let again = try sandbox.run(["apply"])
        #expect(again.status != 0 && again.stderr.contains("segment lab is broken"), "named at every apply")

        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("BROKEN: \(file):2:"), "\(status.stdout)")
        #expect(status.stdout.contains("(its last good version is in use)"))

        try sandbox.write("10.0.0.10 ten\n", to: sandbox.stateDirectory + "/local/other.hosts")
        _ = try sandbox.run(["apply"])
        #expect(sandbox.blockLines.contains("10.0.0.10 ten"), "other segments still change")
        #expect(sandbox.blockLines.contains("10.0.0.4 delta"))

        try sandbox.write("10.0.0.6 zeta\n", to: file)
        try sandbox.succeed(["apply"])
        #expect(sandbox.blockLines.contains("10.0.0.6 zeta"))
        #expect(!sandbox.hosts.contains("delta"))
    }

    @Test func secretsInURLsStayInTheStateDirectory() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n", etag: "\"v1\"")
        let url = "http://user:pass-s3cret@127.0.0.1:\(server.port)/profiles/office?access_token=tok-s3cret&v=2"
        let add = try sandbox.succeed(["add", "office", "--url", url])
        #expect(sandbox.blockLines.contains("10.0.0.1 alpha"))
        #expect(!sandbox.hosts.contains("s3cret"), "\(sandbox.hosts)")
        #expect(
            sandbox.hosts.contains("remote http://***@127.0.0.1:\(server.port)/profiles/office?access_token=***&v=***"))
        var outputs = [add.stdout + add.stderr]
        for command in [
            ["list"], ["list", "--json"], ["status"], ["status", "--json"], ["show", "office"],
            ["show", "office", "--json"], ["sync", "--force"], ["config"], ["backups", "--json"],
        ] {
            let run = try sandbox.succeed(command)
            outputs.append(run.stdout + run.stderr)
        }
        server.route("/profiles/office") { _ in ScriptedResponse(status: 500, body: Array("down".utf8)) }
        let failed = try sandbox.run(["sync", "--force"])
        #expect(failed.status != 0)
        outputs.append(failed.stdout + failed.stderr)
        for output in outputs { #expect(!output.contains("s3cret"), "\(output)") }
        #expect(outputs[1].contains("http://***@127.0.0.1"))

        // The secret stays where only root can read it.
        var info = stat()
        #expect(stat(sandbox.stateDirectory, &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(stat(sandbox.stateDirectory + "/config.json", &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(String(decoding: sandbox.file("config.json") ?? [], as: UTF8.self).contains("tok-s3cret"))
    }
}
