import Foundation
import TestSupport
import Testing

@testable import Server

/// Profile requests are answered in the channel pipeline, everything else by Hummingbird; pipelined
/// requests mixing both must still be answered in order, and HTTP/1.0 must get its connection semantics.
@Suite struct PipeliningTests {
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            let targets = ["/profiles/office", "/healthz", "/profiles/office", "/profiles/none", "/", "/profiles"]
            var requests = ""
            for (offset, target) in targets.enumerated() {
                let close = offset == targets.count - 1 ? "Connection: close\r\n" : ""
                requests += "GET \(target) HTTP/1.1\r\nHost: x\r\n\(close)\r\n"
            }
            let raw = try await RawHTTPClient.exchange(Array(requests.utf8), port: port)
            var rest = raw[...]
            var statuses: [Int] = []
            var types: [String] = []
            while !rest.isEmpty {
                let response = try RawHTTPClient.parse(Array(rest))
                statuses.append(response.status)
                types.append(response.header("Content-Type") ?? "")
                let headLength = Array(rest).firstRange(of: [13, 10, 13, 10])!.upperBound
                rest = rest.dropFirst(headLength + response.body.count)
            }
            #expect(statuses == [200, 200, 200, 404, 200, 200])
            #expect(
                types == [
                    "text/plain; charset=utf-8", "application/json", "text/plain; charset=utf-8",
                    "text/plain; charset=utf-8", "text/html; charset=utf-8", "application/json",
                ])
        }
    }

    @Test func http10GetsItsConnectionSemantics() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            // No keep-alive asked: the server answers and closes (exchange returns only on close).
            let raw = try await RawHTTPClient.exchange(Array("GET /profiles/office HTTP/1.0\r\n\r\n".utf8), port: port)
            let response = try RawHTTPClient.parse(raw)
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(response.body == Array(SampleProfiles.office.utf8))
        }
    }
}
