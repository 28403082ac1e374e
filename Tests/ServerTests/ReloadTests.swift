import CompressNIO
import Foundation
import HostsCore
import Hummingbird
import TestSupport
import Testing

@testable import Server

@Suite struct ReloadTests {
    @Test func invalidProfileIsKeptOutAndThePreviousVersionKeepsBeingServed() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try fixture.publish("broken.hosts", SampleProfiles.broken)
        try await fixture.withServer { _, port in
            let status = try await RawHTTPClient.request("GET", "/profiles/broken", port: port).status
            #expect(status == 404)
            let health = try await Self.health(port)
            #expect(health.status == "degraded")
            #expect(
                health.errors == [LoadIssue(file: "broken.hosts", line: 2, reason: health.errors.first?.reason ?? "")])
            #expect(health.errors.first?.reason.isEmpty == false)

            // A bad new version of a served profile: the good one stays.
            try fixture.publish("office.hosts", SampleProfiles.broken)
            #expect(await eventually { (try? await Self.health(port).errors.count) == 2 })
            let kept = try await RawHTTPClient.request("GET", "/profiles/office", port: port)
            #expect(kept.body == Array(SampleProfiles.office.utf8))

            // Fixed: the new version is served and the error goes away.
            try fixture.publish("office.hosts", SampleProfiles.officeV2)
            try fixture.publish("broken.hosts", SampleProfiles.office)
            #expect(await eventually { (try? await Self.health(port).status) == "ok" })
            let fixed = try await RawHTTPClient.request("GET", "/profiles/office", port: port)
            #expect(fixed.body == Array(SampleProfiles.officeV2.utf8))
            let restored = try await RawHTTPClient.request("GET", "/profiles/broken", port: port).status
            #expect(restored == 200)

            // Removed from the directory: no longer served.
            #expect(unlink("\(fixture.path)/broken.hosts") == 0)
            #expect(
                await eventually {
                    (try? await RawHTTPClient.request("GET", "/profiles/broken", port: port).status) == 404
                })
        }
    }

    @Test func everyBodyMatchesItsETagWhileTheProfileIsReplacedUnderLoad() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let versions = (0..<6).map { SampleProfiles.large(200 + $0 * 50, tag: "v\($0)") }
        let known = Set(versions.map { sha256Hex(Array($0.utf8)) })
        try fixture.publish("office.hosts", versions[0])
        try await fixture.withServer { _, port in
            let seen = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var hashes: [String] = []
                        for request in 0..<40 {
                            let gzip = (worker + request) % 3 == 0
                            let response = try await RawHTTPClient.request(
                                "GET", "/profiles/office", port: port,
                                headers: gzip ? [("Accept-Encoding", "gzip")] : [])
                            #expect(response.status == 200)
                            var body = response.body
                            if response.header("Content-Encoding") == "gzip" {
                                var buffer = ByteBuffer(bytes: body)
                                body = Array(buffer: try buffer.decompress(with: .gzip()))
                            }
                            let sha = sha256Hex(body)
                            let tag = try #require(response.header("ETag"))
                            #expect(tag == "\"\(sha)\"" || tag == "\"\(sha)-gzip\"", "body does not match its ETag")
                            #expect(known.contains(sha))
                            #expect(response.header("Content-Length") == String(response.body.count))
                            hashes.append(sha)
                        }
                        return hashes
                    }
                }
                group.addTask {
                    for version in versions.dropFirst() {
                        try await Task.sleep(for: .milliseconds(150))
                        try fixture.publish("office.hosts", version)
                    }
                    return []
                }
                return try await group.reduce(into: Set<String>()) { $0.formUnion($1) }
            }
            // The load saw more than one version, so the swap really happened under it.
            #expect(seen.count > 1)
        }
    }

    @Test func unchangedDirectoryKeepsTheSameSnapshot() throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        var loader = SnapshotLoader(directory: PublishedDirectory(path: fixture.path))
        let loaded = loader.reload(from: .empty)
        let first = try #require(loaded)
        let unchanged = loader.reload(from: first)
        #expect(unchanged == nil)
        try fixture.publish("office.hosts", SampleProfiles.officeV2)
        let reloaded = loader.reload(from: first)
        let second = try #require(reloaded)
        #expect(second.generation == first.generation + 1)
        #expect(second.profiles["office"]?.entries == 2)
    }

    static func health(_ port: Int) async throws -> HealthReport {
        let response = try await RawHTTPClient.request("GET", "/healthz", port: port)
        return try JSONDecoder().decode(HealthReport.self, from: Data(response.body))
    }
}
