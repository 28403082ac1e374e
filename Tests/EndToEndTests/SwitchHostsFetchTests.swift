import Foundation
import TestSupport
import Testing

/// Mac and Windows employees subscribe with SwitchHosts! (a remote hosts entry with a refresh interval). Its
/// fetcher is a plain GET with no validators (never a 304), no Authorization header (only a URL's userinfo, as
/// Basic), redirects followed, a 30 s timeout, any 2xx body taken as the new hosts text (decoded by the
/// Content-Type charset, else UTF-8), anything else keeping the old copy. v5 (Tauri) sends it with reqwest
/// (`Accept: */*`, `Accept-Encoding: gzip, br`, `User-Agent: SwitchHosts/5… (Tauri; switchhosts)`), v4
/// (Electron) with axios (`Accept: application/json, text/plain, */*`, `Accept-Encoding: gzip, compress,
/// deflate, br`). The real hosts-server must answer both with the profile's exact bytes.
@Suite struct SwitchHostsFetchTests {
    static let requests: [String: [(String, String)]] = [
        "v5": [
            ("Accept", "*/*"), ("User-Agent", "SwitchHosts/5.0.0 (Tauri; switchhosts)"),
            ("Accept-Encoding", "gzip, br"),
        ],
        "v4": [
            ("Accept", "application/json, text/plain, */*"),
            ("User-Agent", "Mozilla/5.0 (Macintosh) AppleWebKit/537.36 Electron/30.1.2 SwitchHosts/4.2.0"),
            ("Accept-Encoding", "gzip, compress, deflate, br"),
        ],
    ]

    /// A profile big enough to be gzipped and sent from a memory file, with a name in UTF-8 (IDNA A-label).
    static let profile = Array(
        ((0..<800).map { "10.1.\($0 / 256).\($0 % 256)\tweb-\($0).corp.example\n" }.joined()
            + "10.2.0.1\txn--bcher-kva.corp.example\n").utf8)

    @Test(arguments: ["v5", "v4"])
    func answersTheFetchWithTheProfileBytesAsUTF8Text(version: String) async throws {
        let directory = try Self.published()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await offThePool { try HostsServerProcess(directory: directory) }
        defer { server.stop() }

        let response = try await RawHTTPClient.request(
            "GET", "/profiles/office", port: server.port, headers: Self.requests[version] ?? [])
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.header("Location") == nil)
        let received = response.body
        let body =
            response.header("Content-Encoding") == "gzip"
            ? try await offThePool { try Self.gunzip(received) } : received
        #expect(body == Self.profile)
    }

    /// SwitchHosts cannot send a bearer token: against `--token-file` its fetch (userinfo as Basic) is refused,
    /// so it keeps its old copy. The README says so.
    @Test func aTokenServerRefusesWhatSwitchHostsCanSend() async throws {
        let directory = try Self.published()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokens = directory + "/../switchhosts-tokens-\(UUID())"
        try "s3cret\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokens) }
        let server = try await offThePool {
            try HostsServerProcess(directory: directory, extraArguments: ["--token-file", tokens])
        }
        defer { server.stop() }

        let basic = "Basic " + Data("employee:s3cret".utf8).base64EncodedString()
        let response = try await RawHTTPClient.request(
            "GET", "/profiles/office", port: server.port,
            headers: (Self.requests["v5"] ?? []) + [("Authorization", basic)])
        #expect(response.status == 401)
    }

    private static func published() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pseudodns-switchhosts-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(profile).write(to: directory.appendingPathComponent("office.hosts"))
        return directory.path
    }

    /// Decodes with the system's gzip, as SwitchHosts' runtime (Node's zlib) would.
    private static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pseudodns-switchhosts-\(UUID()).gz")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try BuiltProducts.run("/bin/gzip", ["-dc", file.path])
        guard result.status == 0 else { throw GzipFailed(description: "gzip -dc: \(result.stderr)") }
        return Array(result.stdout.utf8)
    }
}

private struct GzipFailed: Error, CustomStringConvertible {
    var description: String
}
