import Foundation
import TestSupport
import Testing

@testable import Server

@Suite struct ConnectionLimitsTests {
    /// A client that never finishes its request head is disconnected once the idle timeout passes,
    /// without any response.
    @Test func incompleteRequestHeadIsCutOff() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        var options = fixture.options()
        options.idleTimeout = .seconds(1)
        try await fixture.withServer(options) { _, port in
            // `exchange` returns when the server closes (its own limit is 10 s).
            let partial = "GET /profiles/office HTTP/1.1\r\nHost: x\r\nX-Slow: "
            let received = try await RawHTTPClient.exchange(Array(partial.utf8), port: port)
            #expect(received.isEmpty)
        }
    }
}
