import Foundation
import TestSupport
import Testing

/// add / enable / disable / move / remove, conflicts, and the bytes outside the block, through the real binary.
@Suite struct SegmentLifecycleTests {
    @Test func segmentsMergeInOrderAndEveryByteOutsideTheBlockSurvives() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n10.0.0.2 beta\n", etag: "\"v1\"")
        try sandbox.write("10.9.9.9 alpha\n10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")

        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office")])
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])

        // office is first, so it wins alpha; lab's alpha shows as a conflict comment.
        #expect(sandbox.outsideBlock == ClientSandbox.originalHosts)
        #expect(sandbox.hosts.contains("\r\n# END PSEUDODNS\r\n"), "the block takes the file's CRLF")
        let lines = sandbox.blockLines
        #expect(lines.contains("10.0.0.1 alpha"))
        #expect(lines.contains("10.0.0.3 gamma"))
        #expect(!lines.contains("10.9.9.9 alpha"))
        #expect(lines.contains { $0.hasPrefix("# conflict:") && $0.contains("10.9.9.9") })
        let status = try sandbox.succeed(["status", "--json"])
        #expect(status.stdout.contains("\"in_sync\" : true"))
        #expect(status.stdout.contains("\"winner_segment\" : \"office\""))

        // Moving lab first flips the winner.
        try sandbox.succeed(["move", "lab", "--first"])
        #expect(sandbox.blockLines.contains("10.9.9.9 alpha"))
        #expect(!sandbox.blockLines.contains("10.0.0.1 alpha"))
        try sandbox.succeed(["move", "lab", "--before", "office"])
        try sandbox.succeed(["move", "lab", "--last"])
        #expect(sandbox.blockLines.contains("10.0.0.1 alpha"))
        let list = try sandbox.succeed(["--json", "list"])
        let names = try JSONDecoder().decode([ListRow].self, from: Data(list.stdout.utf8)).map(\.name)
        #expect(names == ["office", "lab"])

        // Disabling takes a segment's entries out; enabling puts them back.
        try sandbox.succeed(["disable", "office"])
        #expect(!sandbox.hosts.contains("beta"))
        #expect(sandbox.blockLines.contains("10.9.9.9 alpha"))
        try sandbox.succeed(["enable", "office"])
        #expect(sandbox.hosts.contains("10.0.0.2 beta"))

        // Removing everything removes the block and gives back the original bytes exactly.
        try sandbox.succeed(["remove", "lab"])
        #expect(!sandbox.hosts.contains("gamma"))
        #expect(sandbox.file("local/lab.hosts") == nil)
        try sandbox.succeed(["remove", "office"])
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
        #expect(sandbox.file("cache/office.hosts") == nil)
    }

    @Test func unknownNamesAndBadInputAreClearErrors() throws {
        let sandbox = try ClientSandbox()
        let missing = try sandbox.run(["enable", "nope"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no segment named 'nope'"))

        let badName = try sandbox.run(["add", "Bad_Name", "--local"])
        #expect(badName.status != 0)
        #expect(badName.stderr.contains("invalid segment name"))

        try sandbox.write("10.0.0.1 ok\nthis is not a hosts line\n", to: sandbox.root + "/bad.hosts")
        let invalid = try sandbox.run(["add", "lab", "--local", "--from", sandbox.root + "/bad.hosts"])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("bad.hosts:2:"), "names the file and line: \(invalid.stderr)")
        #expect(sandbox.file("config.json") == nil, "nothing was added")
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
    }

    @Test func applyWithNothingChangedDoesNotWrite() throws {
        let sandbox = try ClientSandbox()
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])
        let backups = sandbox.backupCount
        let inode = try FileManager.default.attributesOfItem(atPath: sandbox.hostsFile)[.systemFileNumber] as? UInt64

        let again = try sandbox.succeed(["apply"])
        #expect(again.stdout.contains("unchanged"))
        // Also when the fast path cannot be used: the file was touched outside the block.
        try FileManager.default.removeItem(atPath: sandbox.stateDirectory + "/applied.json")
        try sandbox.succeed(["apply"])
        #expect(sandbox.backupCount == backups)
        let after = try FileManager.default.attributesOfItem(atPath: sandbox.hostsFile)[.systemFileNumber] as? UInt64
        #expect(inode == after, "the file was not replaced")
    }

    @Test func editedBlockIsReplacedButOtherEditsAreKept() throws {
        let sandbox = try ClientSandbox()
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])
        // Someone adds a line outside the block and tampers inside it.
        var text = sandbox.hosts.replacingOccurrences(of: "10.0.0.3 gamma", with: "6.6.6.6 gamma")
        text += "192.168.1.1 printer\r\n"
        try sandbox.write(text, to: sandbox.hostsFile)
        let status = try sandbox.succeed(["status"])
        #expect(status.stdout.contains("differs from what hosts-client would write"))
        try sandbox.succeed(["apply"])
        #expect(sandbox.blockLines.contains("10.0.0.3 gamma"))
        #expect(sandbox.hosts.hasSuffix("# END PSEUDODNS\r\n192.168.1.1 printer\r\n"))
    }

    struct ListRow: Decodable { var name: String }
}
