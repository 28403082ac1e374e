import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Server

@Suite struct ConditionalRequestTests {
    /// Last-Modified is when the server first saw the bytes, never the file's mtime: content copied in with
    /// an old mtime (`cp -p`, `rsync -t`) is not answered 304 to a client holding a copy dated after that
    /// mtime, and after a restart the date comes from index.json's `changed_at` for those bytes.
    @Test func lastModifiedIsWhenTheBytesWereFirstSeenNotTheMtime() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let oldMtime = Date(timeIntervalSince1970: 1_000_000_000)  // 2001
        let file = "\(fixture.path)/office.hosts"
        try fixture.publish("office.hosts", SampleProfiles.office)
        try FileManager.default.setAttributes([.modificationDate: oldMtime], ofItemAtPath: file)
        let started = Int64(Date().timeIntervalSince1970)
        let server = try await offThePool { try HostsServerProcess(directory: fixture.path) }
        let first = try await RawHTTPClient.request("GET", "/profiles/office", port: server.port)
        let firstSeen = try #require(first.header("Last-Modified").flatMap(HTTPDate.parse))
        #expect(firstSeen >= started)

        // New bytes, the old mtime kept.
        let changed = SampleProfiles.office + "10.9.9.9 copied.example\n"
        try fixture.publish("office.hosts", changed)
        try FileManager.default.setAttributes([.modificationDate: oldMtime], ofItemAtPath: file)
        let reloaded = await eventually {
            (try? await RawHTTPClient.request("GET", "/profiles/office", port: server.port))?.text == changed
        }
        #expect(reloaded)
        let afterMtime = HTTPDate.format(Int64(oldMtime.timeIntervalSince1970) + 3600)
        let revalidated = try await RawHTTPClient.request(
            "GET", "/profiles/office", port: server.port, headers: [("If-Modified-Since", afterMtime)])
        #expect(revalidated.status == 200)
        #expect(revalidated.text == changed)
        server.stop()

        // Restarted with an index that dates these bytes: that date, kept across the restart.
        let index = ProfileIndex(profiles: [
            ProfileRecord(
                name: "office", sha256: sha256Hex(Array(changed.utf8)), bytes: changed.utf8.count, entries: 0,
                generatedAt: Date(timeIntervalSince1970: 1_700_000_000),
                changedAt: Date(timeIntervalSince1970: 1_600_000_000))
        ])
        try fixture.publish("index.json", String(decoding: try index.encoded(), as: UTF8.self))
        let restarted = try await offThePool { try HostsServerProcess(directory: fixture.path) }
        defer { restarted.stop() }
        let again = try await RawHTTPClient.request("GET", "/profiles/office", port: restarted.port)
        #expect(again.header("Last-Modified") == "Sun, 13 Sep 2020 12:26:40 GMT")
    }

    /// Runs each case against one live server; every case names the header sent and the status expected.
    @Test func etagAndDateConditionsInEveryForm() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try fixture.publish("big.hosts", SampleProfiles.large(100))
        try await fixture.withServer { _, port in
            let first = try await RawHTTPClient.request("GET", "/profiles/office", port: port)
            let etag = try #require(first.header("ETag"))
            let lastModifiedText = try #require(first.header("Last-Modified"))
            let lastModified = try #require(HTTPDate.parse(lastModifiedText))
            let opaque = etag.dropFirst().dropLast()
            let earlier = HTTPDate.format(lastModified - 3600)
            let later = HTTPDate.format(lastModified + 3600)

            let cases: [(headers: [(String, String)], status: Int)] = [
                ([("If-None-Match", etag)], 304),
                ([("If-None-Match", "W/\(etag)")], 304),  // weak comparison
                ([("If-None-Match", "\"other\", \(etag)")], 304),  // list
                ([("If-None-Match", "\"a\",W/\"b\" ,  \(etag)")], 304),
                ([("If-None-Match", "\"a\""), ("If-None-Match", etag)], 304),  // repeated field lines
                ([("If-None-Match", "*")], 304),
                ([("If-None-Match", "\"\(opaque)-gzip\"")], 304),  // the gzip variant's tag names the same content
                ([("If-None-Match", "\"other\"")], 200),
                ([("If-None-Match", String(opaque))], 200),  // unquoted is not an entity-tag
                ([("If-Modified-Since", lastModifiedText)], 304),
                ([("If-Modified-Since", later)], 304),
                ([("If-Modified-Since", earlier)], 200),
                ([("If-Modified-Since", "yesterday")], 200),  // not a date: ignored
                ([("If-Modified-Since", "Sat, 31 Feb 2099 00:00:00 GMT")], 200),  // no such day: ignored
                ([("If-Unmodified-Since", "Tue, 30 Feb 1999 00:00:00 GMT")], 200),
                // If-None-Match wins over If-Modified-Since, whichever way it goes.
                ([("If-None-Match", "\"other\""), ("If-Modified-Since", later)], 200),
                ([("If-None-Match", etag), ("If-Modified-Since", earlier)], 304),
                ([("If-Match", etag)], 200),
                ([("If-Match", "W/\(etag)")], 412),  // If-Match compares strongly
                ([("If-Match", "\"other\"")], 412),
                ([("If-Unmodified-Since", earlier)], 412),
                ([("If-Unmodified-Since", later)], 200),
            ]
            for (headers, status) in cases {
                let response = try await RawHTTPClient.request("GET", "/profiles/office", port: port, headers: headers)
                #expect(response.status == status, "\(headers)")
                if status == 304 {
                    #expect(response.body.isEmpty, "\(headers)")
                    #expect(response.header("ETag") == etag, "\(headers)")
                    #expect(response.header("Cache-Control") == "no-cache")
                    #expect(response.header("Vary") == "Accept-Encoding")
                }
                if status == 200 { #expect(response.body == Array(SampleProfiles.office.utf8), "\(headers)") }
            }

            let head = try await RawHTTPClient.request(
                "HEAD", "/profiles/office", port: port, headers: [("If-None-Match", etag)])
            #expect(head.status == 304)
            // The 304 names the representation the client would have got: gzip when it accepts gzip.
            let big = try await RawHTTPClient.request("GET", "/profiles/big", port: port)
            let bigTag = try #require(big.header("ETag"))
            for sent in [bigTag, "\"\(bigTag.dropFirst().dropLast())-gzip\""] {
                let gzip = try await RawHTTPClient.request(
                    "GET", "/profiles/big", port: port, headers: [("If-None-Match", sent), ("Accept-Encoding", "gzip")])
                #expect(gzip.status == 304)
                #expect(gzip.header("ETag") == "\"\(bigTag.dropFirst().dropLast())-gzip\"")
            }
        }
    }

    @Test func indexAndSignatureHonourConditionsToo() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try fixture.publish("office.hosts.sig", "{}")
        try await fixture.withServer { _, port in
            for path in ["/profiles", "/profiles/office.sig"] {
                let first = try await RawHTTPClient.request("GET", path, port: port)
                let etag = try #require(first.header("ETag"), "\(path)")
                let again = try await RawHTTPClient.request("GET", path, port: port, headers: [("If-None-Match", etag)])
                #expect(again.status == 304, "\(path)")
            }
        }
    }
}
