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
        #expect(!result.ok)
        #expect(result.stderr.contains("--token-file: cannot read"))
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
    }
}
