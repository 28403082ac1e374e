import Foundation
import TestSupport
import Testing

/// Conditional GET, and every way a remote can go bad: the cached copy stays, the segment is stale, sync fails
/// naming it, and the other segments still apply.
@Suite struct RemoteFetchTests {
    static let office = TwoRemotes.office

    /// ``TwoRemotes``, with a 1 s timeout so the slow answers end quickly.
    func prepared() throws -> (ClientSandbox, ScriptedHTTPServer) {
        let (sandbox, server) = try TwoRemotes.prepared()
        try sandbox.succeed(["config", "timeout", "1s"])
        return (sandbox, server)
    }

    @Test func notModifiedLeavesTheCacheUntouched() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        let cachePath = sandbox.stateDirectory + "/cache/office.hosts"
        let before = try FileManager.default.attributesOfItem(atPath: cachePath)
        let hostsBefore = sandbox.hostsBytes

        let sync = try sandbox.succeed(["sync", "--force"])
        #expect(sync.stdout.contains("office: not modified"))
        let requests = server.requests(to: "/profiles/office")
        #expect(requests.count == 2)
        #expect(requests.first?.headers["if-none-match"] == nil)
        #expect(requests.last?.headers["if-none-match"] == "\"v1\"")

        let after = try FileManager.default.attributesOfItem(atPath: cachePath)
        #expect(before[.systemFileNumber] as? UInt64 == after[.systemFileNumber] as? UInt64, "cache not rewritten")
        #expect(before[.modificationDate] as? Date == after[.modificationDate] as? Date)
        #expect(sandbox.hostsBytes == hostsBefore)
        let meta = String(decoding: sandbox.file("cache/office.meta.json") ?? [], as: UTF8.self)
        #expect(meta.contains("304 Not Modified"))
        #expect(meta.contains("\"etag\" : \"\\\"v1\\\"\""))
    }

    @Test func syncOnlyFetchesDueSegmentsUnlessForced() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        let sync = try sandbox.succeed(["sync"])
        #expect(sync.stdout.contains("office: not due"))
        #expect(server.requests(to: "/profiles/office").count == 1)
    }

    @Test func newContentIsFetchedAndApplied() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n10.0.0.7 delta\n", etag: "\"v2\"")
        let sync = try sandbox.succeed(["sync", "--force"])
        #expect(sync.stdout.contains("office: updated, 2 entries"))
        #expect(sandbox.blockLines.contains("10.0.0.7 delta"))
        #expect(!sandbox.hosts.contains("beta"))
    }

    static let badAnswers: [(String, ScriptedResponse, String)] = [
        ("500", .status(500), "HTTP 500"),
        ("html content type", .text("<p>maintenance</p>\n", contentType: "text/html; charset=utf-8"), "text/html"),
        ("html body as text", .text("<!DOCTYPE html>\n<html><body>oops</body></html>\n"), "invalid content"),
        ("invalid line", .text("10.0.0.1 alpha\n10.0.0.300 broken\n"), ":2:"),
        ("too big", .text(String(repeating: "10.0.0.1 alpha\n", count: 80_000)), "larger than"),
        (
            "too big, streamed without length",
            ScriptedResponse(
                status: 200, headers: [("Content-Type", "text/plain")],
                body: Array(String(repeating: "10.0.0.1 alpha\n", count: 80_000).utf8), omitContentLength: true),
            "larger than"
        ),
        ("slow", ScriptedResponse(status: 200, body: Array("10.0.0.1 alpha\n".utf8), delay: 3), "timed out"),
    ]

    @Test(arguments: 0..<badAnswers.count)
    func badRemoteKeepsItsLastGoodCopy(_ index: Int) throws {
        let (label, answer, reason) = Self.badAnswers[index]
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        try sandbox.succeed(["config", "max-bytes", "1000000"])
        server.route("/profiles/office") { _ in answer }
        // The other remote changes in the same sync: it must still apply.
        server.serveHosts("/profiles/lab", "10.0.0.9 lab-two\n", etag: "\"lab2\"")
        let cacheBefore = sandbox.file("cache/office.hosts")

        let sync = try sandbox.run(["sync", "--force"])
        #expect(sync.status != 0, "\(label): sync must fail")
        #expect(sync.stderr.contains("segment office failed"), "\(label): \(sync.stderr)")
        #expect(sync.stderr.contains(reason), "\(label): expected '\(reason)' in \(sync.stderr)")
        #expect(sync.stderr.contains("stale: office"), "\(label): \(sync.stderr)")
        #expect(sandbox.file("cache/office.hosts") == cacheBefore, "\(label): cached copy kept")
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"), "\(label): office still applied from cache")
        #expect(sandbox.blockLines.contains("10.0.0.9 lab-two"), "\(label): the rest still applies")
        #expect(sandbox.outsideBlock == ClientSandbox.originalHosts)

        let status = try sandbox.succeed(["status", "--json"])
        let report = try JSONDecoder().decode(StatusJSON.self, from: Data(status.stdout.utf8))
        let office = try #require(report.segments.first { $0.name == "office" })
        #expect(office.stale)
        #expect(office.error?.contains(reason) == true)
        #expect(report.segments.first { $0.name == "lab" }?.stale == false)
    }

    @Test func serverDownIsStaleAndRecovers() throws {
        let (sandbox, server) = try prepared()
        server.stop()
        let sync = try sandbox.run(["sync", "--force"])
        #expect(sync.status != 0)
        #expect(sync.stderr.contains("segment office failed"))
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"))
        let text = try sandbox.succeed(["status"])
        #expect(text.stdout.contains("STALE"))
    }

    @Test func failedFirstFetchAddsNothing() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.route("/profiles/office") { _ in .status(500) }
        let add = try sandbox.run(["add", "office", "--url", server.url("/profiles/office")])
        #expect(add.status != 0)
        #expect(add.stderr.contains("segment 'office' not added: HTTP 500"))
        let list = try sandbox.succeed(["list", "--json"])
        #expect(list.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]")
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
        #expect(sandbox.backupCount == 0)
    }

    @Test func dryRunPrintsTheDiffAndChangesNothing() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        server.serveHosts("/profiles/office", "10.0.0.1 alpha\n10.0.0.7 delta\n", etag: "\"v2\"")
        let hostsBefore = sandbox.hostsBytes
        let cacheBefore = sandbox.file("cache/office.hosts")
        let metaBefore = sandbox.file("cache/office.meta.json")
        let backups = sandbox.backupCount

        let dry = try sandbox.succeed(["sync", "--dry-run", "--force"])
        #expect(dry.stdout.contains("--- \(sandbox.hostsFile)\n+++ \(sandbox.hostsFile) (after sync)\n"))
        #expect(dry.stdout.contains("\n-10.0.0.2 beta\r\n"))
        #expect(dry.stdout.contains("\n+10.0.0.7 delta\r\n"))
        #expect(dry.stdout.contains("\n@@ -"))
        #expect(sandbox.hostsBytes == hostsBefore)
        #expect(sandbox.file("cache/office.hosts") == cacheBefore)
        #expect(sandbox.file("cache/office.meta.json") == metaBefore)
        #expect(sandbox.backupCount == backups)

        // Applying for real then produces exactly the previewed change.
        try sandbox.succeed(["sync", "--force"])
        let quiet = try sandbox.succeed(["sync", "--dry-run", "--force"])
        #expect(quiet.stdout.contains("would not change"))
    }

    struct StatusJSON: Decodable {
        struct Segment: Decodable {
            var name: String
            var stale: Bool
            var error: String?
        }
        var segments: [Segment]
    }
}
