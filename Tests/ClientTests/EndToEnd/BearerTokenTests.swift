import Foundation
import TestSupport
import Testing

/// `--token-file`: the client sends the token hosts-server's `--token-file` requires, re-read at every fetch.
@Suite struct BearerTokenTests {
    @Test func sendsTheTokenFromItsFileAndPicksUpARotation() throws {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.route("/profiles/office") { request in
            guard
                request.headers["authorization"] == "Bearer s3cret-2"
                    || request.headers["authorization"] == "Bearer s3cret-1"
            else { return .status(401, body: "unauthorized\n") }
            return .text("10.0.0.1 alpha\n", etag: "\"v1\"")
        }
        let tokenFile = sandbox.root + "/token"
        try sandbox.writeSecret("s3cret-1\n", to: tokenFile)
        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office"), "--token-file", tokenFile])
        #expect(sandbox.blockLines.contains { $0.hasPrefix("10.0.0.1") && $0.hasSuffix("alpha") })
        #expect(server.requests(to: "/profiles/office").last?.headers["authorization"] == "Bearer s3cret-1")
        let config = String(decoding: sandbox.file("config.json") ?? [], as: UTF8.self)
        #expect(!config.contains("s3cret"), "the secret stays in its file, not in the client's config")

        try sandbox.writeSecret("s3cret-2\n", to: tokenFile)
        try sandbox.succeed(["sync", "--force"])
        #expect(server.requests(to: "/profiles/office").last?.headers["authorization"] == "Bearer s3cret-2")

        try sandbox.writeSecret("wrong\n", to: tokenFile)
        let refused = try sandbox.run(["sync", "--force"])
        #expect(!refused.ok)
        #expect(refused.stdout.contains("401") || refused.stderr.contains("401"), "\(refused.stdout) \(refused.stderr)")
        #expect(sandbox.blockLines.contains { $0.hasSuffix("alpha") }, "the last good copy stays")
    }

    @Test func unreadableTokenFileIsRefusedAtAdd() throws {
        let sandbox = try ClientSandbox()
        let result = try sandbox.run([
            "add", "office", "--url", "http://127.0.0.1:9/profiles/office", "--token-file", sandbox.root + "/missing",
        ])
        #expect(result.status == 78, "a missing credential exits as a refused one: \(result.stderr)")
        #expect(
            result.stderr.contains(
                "--token-file: cannot read token file \(sandbox.root)/missing: no such file or directory — put the "
                    + "server's token there"), "\(result.stderr)")
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
    }

    /// A token file that is gone (or emptied) by the time of a sync: exit 78 as for a refused one (before: 1, the
    /// code of a server that failed), one line naming the file and what to do, the last good copy kept, nothing
    /// sent.
    @Test func aTokenFileMissingOrEmptyAtSyncExits78NamingIt() async throws {
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.route("/profiles/office") { request in
            guard request.headers["authorization"] == "Bearer s3cret" else { return .status(401) }
            return .text("10.0.0.1 alpha\n", etag: "\"v1\"")
        }
        let url = server.url("/profiles/office")
        try await offThePool {
            let sandbox = try ClientSandbox()
            let tokenFile = sandbox.root + "/token"
            try sandbox.writeSecret("s3cret\n", to: tokenFile)
            try sandbox.succeed(["add", "office", "--url", url, "--token-file", tokenFile])
            let requests = server.requests(to: "/profiles/office").count

            try FileManager.default.removeItem(atPath: tokenFile)
            let missing = try sandbox.run(["sync", "--force"])
            #expect(missing.status == 78, "\(missing.stderr)")
            let line = try #require(
                missing.stderr.split(separator: "\n").first { $0.hasPrefix("hosts-client: segment office failed:") },
                "\(missing.stderr)")
            #expect(
                line.contains(
                    "cannot read token file \(tokenFile): no such file or directory — put the server's token there, "
                        + "root's and 0600 (install -m 600 FILE \(tokenFile)), or name another: hosts-client trust "
                        + "office --token-file FILE"), "\(line)")

            try sandbox.writeSecret("\n\n", to: tokenFile)
            let empty = try sandbox.run(["sync", "--force"])
            #expect(empty.status == 78, "\(empty.stderr)")
            #expect(empty.stderr.contains("token file \(tokenFile) holds no token — put the server's token there"))
            #expect(server.requests(to: "/profiles/office").count == requests, "nothing was sent without the token")
            #expect(sandbox.blockLines.contains { $0.hasSuffix("alpha") }, "the last good copy stays")
        }
    }
}
