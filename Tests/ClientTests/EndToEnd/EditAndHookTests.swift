import Foundation
import TestSupport
import Testing

@Suite struct EditAndHookTests {
    @Test func editSavesValidContentAndRefusesInvalid() throws {
        let sandbox = try ClientSandbox()
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])

        try sandbox.write("10.0.0.4 delta # new box\n", to: sandbox.root + "/good.hosts")
        let good = try sandbox.run(["edit", "lab"], environment: ["EDITOR": "cp \(sandbox.root)/good.hosts"])
        #expect(good.ok, "\(good.stderr)")
        #expect(sandbox.blockLines.contains { $0.hasPrefix("10.0.0.4") && $0.contains("delta") })
        #expect(!sandbox.hosts.contains("gamma"))

        try sandbox.write("10.0.0.5 epsilon\nnot-an-address host\n", to: sandbox.root + "/bad.hosts")
        let bad = try sandbox.run(
            ["edit", "lab"], environment: ["VISUAL": "", "EDITOR": "cp \(sandbox.root)/bad.hosts"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("edit rejected"))
        #expect(bad.stderr.contains("lab.hosts:2:"), "\(bad.stderr)")
        #expect(sandbox.file("local/lab.hosts") == Array("10.0.0.4 delta # new box\n".utf8), "segment unchanged")
        #expect(sandbox.file("local/lab.hosts.rejected") == Array("10.0.0.5 epsilon\nnot-an-address host\n".utf8))
        #expect(!sandbox.hosts.contains("epsilon"))

        let failing = try sandbox.run(["edit", "lab"], environment: ["EDITOR": "false"])
        #expect(failing.status != 0)
        #expect(failing.stderr.contains("exited with status"))

        try sandbox.succeed(["add", "office", "--local"])
        let notLocal = try sandbox.run(["edit", "nope"], environment: ["EDITOR": "true"])
        #expect(notLocal.stderr.contains("no segment named 'nope'"))
    }

    @Test func afterApplyHookRunsAndItsFailureIsNotFatal() throws {
        let sandbox = try ClientSandbox()
        let marker = sandbox.root + "/hook-ran"
        try sandbox.succeed(["config", "after-apply", "echo \"$PSEUDODNS_HOSTS_FILE\" > \(marker)"])
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])
        let ran = try String(contentsOfFile: marker, encoding: .utf8)
        #expect(ran == sandbox.hostsFile + "\n")

        try sandbox.succeed(["config", "after-apply", "exit 3"])
        let failing = try sandbox.run(["disable", "lab"])
        #expect(failing.ok, "a failing hook is reported, not fatal")
        #expect(failing.stderr.contains("after-apply 'exit 3' failed with status 3"))
        #expect(!sandbox.hosts.contains("gamma"), "the write happened anyway")

        // No write, no hook.
        try FileManager.default.removeItem(atPath: marker)
        try sandbox.succeed(["config", "after-apply", "touch \(marker)"])
        try sandbox.succeed(["apply"])
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
