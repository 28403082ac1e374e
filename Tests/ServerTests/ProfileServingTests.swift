import CompressNIO
import Foundation
import HostsCore
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import Server

@Suite struct ProfileServingTests {
    @Test func profileIsServedWithExactBytesAndStrongETag() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { client, _ in
            let response = try await client.execute(uri: "/profiles/office", method: .get)
            #expect(response.status == .ok)
            #expect(Array(buffer: response.body) == Array(SampleProfiles.office.utf8))
            #expect(response.headers[.eTag] == "\"\(sha256Hex(Array(SampleProfiles.office.utf8)))\"")
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-cache")
            #expect(response.headers[.vary] == "Accept-Encoding")
            #expect(response.headers[.contentLength] == String(SampleProfiles.office.utf8.count))
            #expect(response.headers[.contentEncoding] == nil)
            #expect(response.headers[.lastModified].flatMap(HTTPDate.parse) != nil)
        }
    }

    @Test func headGivesTheHeadersAndNoBody() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            let get = try await RawHTTPClient.request("GET", "/profiles/office", port: port)
            let head = try await RawHTTPClient.request("HEAD", "/profiles/office", port: port)
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Length") == String(SampleProfiles.office.utf8.count))
            #expect(head.header("ETag") == get.header("ETag"))
            #expect(head.header("Last-Modified") == get.header("Last-Modified"))
        }
    }

    @Test func gzipRoundTripsWhenAcceptedAndOnlyThen() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let content = SampleProfiles.large(1000)
        try fixture.publish("big.hosts", content)
        try await fixture.withServer { _, port in
            let gzipped = try await RawHTTPClient.request(
                "GET", "/profiles/big", port: port, headers: [("Accept-Encoding", "br;q=1.0, gzip;q=0.8")])
            #expect(gzipped.status == 200)
            #expect(gzipped.header("Content-Encoding") == "gzip")
            #expect(gzipped.header("Vary") == "Accept-Encoding")
            #expect(gzipped.body.count < content.utf8.count / 3)
            var compressed = ByteBuffer(bytes: gzipped.body)
            let decompressed = try compressed.decompress(with: .gzip())
            #expect(Array(buffer: decompressed) == Array(content.utf8))
            let sha = sha256Hex(Array(content.utf8))
            #expect(gzipped.header("ETag") == "\"\(sha)-gzip\"")

            for refusal in ["gzip;q=0", "identity", "br", "*;q=0"] {
                let plain = try await RawHTTPClient.request(
                    "GET", "/profiles/big", port: port, headers: [("Accept-Encoding", refusal)])
                #expect(plain.header("Content-Encoding") == nil, "Accept-Encoding: \(refusal)")
                #expect(plain.body == Array(content.utf8))
                #expect(plain.header("ETag") == "\"\(sha)\"")
            }
            let wildcard = try await RawHTTPClient.request(
                "GET", "/profiles/big", port: port, headers: [("Accept-Encoding", "*")])
            #expect(wildcard.header("Content-Encoding") == "gzip")
        }
    }

    @Test func indexListsProfilesWithSignedFlagAndServesSignatures() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try fixture.publish("remote.hosts", SampleProfiles.officeV2)
        let signature = #"{"algorithm":"ed25519","signature":"abc"}"#
        try fixture.publish("office.hosts.sig", signature)
        let officeSHA = sha256Hex(Array(SampleProfiles.office.utf8))
        let index = ProfileIndex(profiles: [
            ProfileRecord(
                name: "office", description: "From the office", sha256: officeSHA, bytes: 0, entries: 0,
                generatedAt: Date(timeIntervalSince1970: 1_700_000_000),
                changedAt: Date(timeIntervalSince1970: 1_600_000_000))
        ])
        try fixture.publish("index.json", String(decoding: try index.encoded(), as: UTF8.self))
        try await fixture.withServer { client, _ in
            let response = try await client.execute(uri: "/profiles", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let document = try JSONDecoder().decode(
                ProfileIndexDocument.Document.self, from: Data(buffer: response.body))
            #expect(document.profiles.map(\.name) == ["office", "remote"])
            let office = try #require(document.profiles.first)
            #expect(office.signed)
            #expect(office.sha256 == officeSHA)
            #expect(office.entries == 3)
            #expect(office.bytes == SampleProfiles.office.utf8.count)
            #expect(office.description == "From the office")
            #expect(office.changedAt == "2020-09-13T12:26:40Z")
            #expect(document.profiles[1].signed == false)

            let sig = try await client.execute(uri: "/profiles/office.sig", method: .get)
            #expect(sig.status == .ok)
            #expect(String(buffer: sig.body) == signature)
            #expect(sig.headers[.contentType] == "application/json")
            #expect(sig.headers[.eTag] == "\"\(sha256Hex(Array(signature.utf8)))\"")
            let status = try await client.execute(uri: "/profiles/remote.sig", method: .get).status
            #expect(status == .notFound)
        }
    }

    @Test func rootPageListsProfilesAndHowToSubscribe() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            let page = try await RawHTTPClient.request(
                "GET", "/", port: port, headers: [])
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.text.contains("<a href=\"/profiles/office\">office</a>"))
            #expect(page.text.contains("<td class=\"n\">3</td>"))
            #expect(page.text.contains("http://127.0.0.1:\(port)/profiles/office"))
        }
    }

    @Test func rootPageEscapesTheHostHeader() {
        let html = RootPage.html(snapshot: .empty, baseURL: "http://<script>", tokensRequired: false)
        #expect(!html.contains("<script>"))
        #expect(html.contains("http://&lt;script&gt;"))
    }

    @Test func otherMethodsAreRefused() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            for method in ["POST", "PUT", "DELETE"] {
                let response = try await RawHTTPClient.request(
                    method, "/profiles/office", port: port, headers: [("Content-Length", "0")])
                #expect(response.status == 405, "\(method)")
                #expect(response.header("Allow") == "GET, HEAD")
            }
        }
    }

    @Test func oversizedHeadersAreRejected() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            let response = try await RawHTTPClient.request(
                "GET", "/profiles/office", port: port,
                headers: [("X-Padding", String(repeating: "a", count: 64 * 1024))])
            #expect(response.status == 431 || response.status == 400)
            #expect(response.body.count < 1000)
        }
    }

    /// Over the limit, but small enough to arrive in one read (so the fast path sees it whole): refused
    /// all the same.
    @Test func headOverTheLimitIsRejectedEvenWhenItArrivesWhole() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        var options = fixture.options()
        options.maxHeaderBytes = 2048
        try await fixture.withServer(options) { _, port in
            let response = try await RawHTTPClient.request(
                "GET", "/profiles/office", port: port, headers: [("X-Padding", String(repeating: "a", count: 3000))])
            #expect(response.status == 431 || response.status == 400)
        }
    }

    @Test func metricsCountRequestsInPrometheusTextFormat() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { client, port in
            let etag = try await client.execute(uri: "/profiles/office", method: .get).headers[.eTag]!
            _ = try await client.execute(uri: "/profiles/office", method: .get, headers: [.ifNoneMatch: etag])
            _ = try await client.execute(uri: "/profiles/nothing", method: .get)
            let metrics = try await RawHTTPClient.request("GET", "/metrics", port: port)
            #expect(metrics.status == 200)
            #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = metrics.text.split(separator: "\n").map(String.init)
            #expect(lines.contains(#"hosts_server_requests_total{route="profile",status="200"} 1"#))
            #expect(lines.contains(#"hosts_server_requests_total{route="profile",status="304"} 1"#))
            #expect(lines.contains(#"hosts_server_requests_total{route="profile",status="404"} 1"#))
            #expect(lines.contains("hosts_server_profile_not_modified_ratio 0.5"))
            #expect(lines.contains("# TYPE hosts_server_requests_total counter"))
            #expect(lines.contains { $0.hasPrefix(#"hosts_server_profile_age_seconds{profile="office"} "#) })
            let bodyBytes = SampleProfiles.office.utf8.count + "not found\n".utf8.count
            #expect(lines.contains(#"hosts_server_response_bytes_total{route="profile"} \#(bodyBytes)"#))
        }
    }
}
