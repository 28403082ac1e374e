import Foundation
import HostsCore
import TestSupport
import Testing

/// `--no-fast-path`: every request goes through Hummingbird, with the same answers.
@Suite struct FastPathSwitchTests {
    @Test func withoutTheFastPathTheSameAnswersComeFromHummingbird() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        // Dated by the index, so Last-Modified does not depend on when each server first saw the bytes.
        let record = ProfileRecord(
            name: "office", sha256: sha256Hex(Array(SampleProfiles.office.utf8)),
            bytes: SampleProfiles.office.utf8.count, entries: 0,
            generatedAt: Date(timeIntervalSince1970: 1_700_000_000),
            changedAt: Date(timeIntervalSince1970: 1_600_000_000))
        try fixture.publish(
            "index.json", String(decoding: try ProfileIndex(profiles: [record]).encoded(), as: UTF8.self))
        let tokens = FileManager.default.temporaryDirectory.appendingPathComponent("hosts-server-tokens-\(UUID())").path
        try Data("s3cret\n".utf8).write(to: URL(fileURLWithPath: tokens))
        defer { try? FileManager.default.removeItem(atPath: tokens) }
        var answers: [[String]] = []
        for fastPath in [true, false] {
            let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("hosts-server-\(UUID()).log")
                .path
            defer { try? FileManager.default.removeItem(atPath: logFile) }
            let arguments = ["--token-file", tokens] + (fastPath ? [] : ["--no-fast-path"])
            let server = try await offThePool {
                try HostsServerProcess(directory: fixture.path, extraArguments: arguments, logFile: logFile)
            }
            defer { server.stop() }
            let authorized = [("Authorization", "Bearer s3cret")]
            var seen: [String] = []
            for (path, headers) in [
                ("/profiles/office", authorized), ("/profiles/office", []),
                ("/profiles/office", [("Authorization", "Bearer wrong")]), ("/profiles/none", authorized),
            ] {
                let response = try await RawHTTPClient.request("GET", path, port: server.port, headers: headers)
                let shown = response.headers.filter { $0.name != "Date" }.map {
                    "\($0.name): \($0.value)"
                }
                seen.append("\(response.status) \(shown.joined(separator: "; ")) \(response.text)")
            }
            answers.append(seen)
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            #expect(log.contains("fast_path=\(fastPath)"), "\(log)")
        }
        #expect(answers[0] == answers[1])
        #expect(answers[0].map { $0.prefix(3) } == ["200", "401", "401", "404"])
    }
}
