import Foundation
import TestSupport
import Testing

/// The answers a client sees, judged by httplint (mnot's HTTP linter, the checks behind redbot) rather than by
/// our own reading of the RFCs: the real hosts-server, with its fast path and without it, over a real socket.
/// Every answer of the list must carry no note at WARN or BAD, except the one a 400 is by definition.
@Suite struct HTTPLintTests {
    struct Exchange: Decodable {
        struct Note: Decodable {
            var name: String
            var level: String
            var summary: String
        }
        var status: Int
        var headers: [String: String]
        var notes: [Note]
    }

    /// A profile large enough that the server gzips it when asked.
    static let profile = (0..<600).map { "10.3.\($0 / 256).\($0 % 256)\tapp-\($0).corp.example\n" }.joined()
    static let token = "lint-token-1"

    @Test(arguments: [false, true])
    func everyKindOfAnswerLintsClean(noFastPath: Bool) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pseudodns-httplint-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.profile.write(to: directory.appendingPathComponent("office.hosts"), atomically: true, encoding: .utf8)
        let tokens = directory.path + ".tokens"
        try (Self.token + "\n").write(toFile: tokens, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokens) }
        let server = try await offThePool {
            try HostsServerProcess(
                directory: directory.path,
                extraArguments: ["--token-file", tokens] + (noFastPath ? ["--no-fast-path"] : []))
        }
        defer { server.stop() }

        let bearer = "Authorization: Bearer \(Self.token)"
        let agent = "User-Agent: pseudodns-httplint-test"
        func lint(_ method: String, _ target: String, _ headers: [String]) async throws -> Exchange {
            let arguments = [
                BuiltProducts.packageRoot + "/scripts/httplint-exchange.py", "\(server.port)", method, target,
            ]
            let result = try await offThePool {
                try BuiltProducts.run("/usr/bin/env", ["python3"] + arguments + [agent] + headers)
            }
            guard result.status == 0 else {
                throw LintFailed(description: "httplint-exchange.py (pip install httplint): \(result.stderr)")
            }
            return try JSONDecoder().decode(Exchange.self, from: Data(result.stdout.utf8))
        }

        let full = try await lint("GET", "/profiles/office", [bearer, "Accept-Encoding: identity"])
        let etag = try #require(full.headers["etag"])
        let cases: [(String, Exchange, Int, Set<String>)] = [
            ("200", full, 200, []),
            ("gzip", try await lint("GET", "/profiles/office", [bearer, "Accept-Encoding: gzip"]), 200, []),
            ("HEAD", try await lint("HEAD", "/profiles/office", [bearer]), 200, []),
            ("304", try await lint("GET", "/profiles/office", [bearer, "If-None-Match: \(etag)"]), 304, []),
            // A 400 is a WARN by what it is ("the server didn't understand the request"), not by how it is sent.
            ("400", try await lint("GET", "/profiles/office", [bearer, "Host: a b"]), 400, ["STATUS_BAD_REQUEST"]),
            ("401", try await lint("GET", "/profiles/office", []), 401, []),
            ("404", try await lint("GET", "/profiles/nowhere", [bearer]), 404, []),
            ("healthz", try await lint("GET", "/healthz", []), 200, []),
        ]
        let path = noFastPath ? "Hummingbird path" : "fast path"
        for (name, exchange, status, allowed) in cases {
            #expect(exchange.status == status, "\(path) \(name): status \(exchange.status)")
            let found = exchange.notes.filter { !allowed.contains($0.name) }
            #expect(found.isEmpty, "\(path) \(name): \(found.map { "\($0.level) \($0.name): \($0.summary)" })")
        }
        // The gzip case is one: the linter decoded a gzip body and checked it.
        #expect(cases[1].1.headers["content-encoding"] == "gzip", "\(path): \(cases[1].1.headers)")
    }
}

private struct LintFailed: Error, CustomStringConvertible {
    var description: String
}
