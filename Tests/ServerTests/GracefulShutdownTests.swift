import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct GracefulShutdownTests {
    /// Graceful shutdown (what SIGTERM starts) lets answers already queued for a slow reader reach it
    /// whole, instead of closing the connection under them.
    @Test func answersQueuedForASlowReaderAreDeliveredDuringShutdown() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let profile = Array(SampleProfiles.large(3000).utf8)
        try fixture.publish("office.hosts", String(decoding: profile, as: UTF8.self))
        // About 23 MB of answers: more than the loopback socket buffers hold, so some wait in the server.
        let count = 200
        let requests = String(repeating: "GET /profiles/office HTTP/1.1\r\nHost: x\r\n\r\n", count: count)
        let reader = SlowReader()
        try await fixture.withServer { _, port in
            try reader.send(Array(requests.utf8), port: port)
            // Shutdown must begin after the server has read the requests (they went in one send, read in one
            // go): once it has answered one. A fixed pause was not always enough under load, and a shutdown
            // that begins before the read rightly answers nothing.
            let answering = await eventually(seconds: 60) {
                let metrics = (try? await RawHTTPClient.request("GET", "/metrics", port: port).text) ?? ""
                let series = #"hosts_server_requests_total{route="profile",status="200"}"#
                return (DescriptorExhaustionTests.value(of: series, in: metrics) ?? 0) >= 1
            }
            try #require(answering, "the server never answered the pipelined requests")
            // Then shutdown begins (when this closure returns) while the reader is still asleep: it reads only
            // once the server has closed its listening socket. (A pause of 500 ms was not always enough under
            // load: the reader read every answer before the shutdown reached the connection, then gave up after
            // 10 s without a byte, and the server's close was missed.)
            #expect(LoopbackSocket.isListening(port: port))
            reader.startReadingOnceNotListening(port: port)
        }
        let (closed, allWhole) = try await reader.receivedAnswers(count: count, eachWithBody: profile)
        #expect(closed, "the server must close the connection once everything is sent")
        #expect(allWhole)
    }

    /// Connections that keep arriving as a graceful shutdown begins (the listener closes under them) are closed,
    /// not a crash: NIO's server channel drops one accepted too late without Hummingbird ever serving it
    /// (apple/swift-nio#2813), which trapped in its writer's deinit before ProfileHTTP1Channel used deinit-based
    /// teardown (the test process crashed in each of 5 runs then; none since, also beside two busy loops). 10
    /// in-process servers, each stormed by one client until it refuses connections (at most 60 s each).
    @Test func connectionsArrivingAsAShutdownBeginsDoNotCrashTheServer() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        for _ in 0..<10 {
            let storm = ConnectStorm()
            try await fixture.withServer { _, port in
                storm.start(port: port)
                // Storming before the shutdown begins (when this closure returns).
                #expect(await eventually { storm.connections.load(ordering: .relaxed) >= 10 })
            }
            let refused = try await offThePool { storm.waitUntilRefused() }
            #expect(refused, "the storm did not end with the server refusing connections")
        }
    }
}

/// One client thread connecting and closing in a loop until the server refuses (its listener closed) or 60 s pass.
private final class ConnectStorm: Sendable {
    let connections = Atomic(0)
    private let refused = Atomic(false)
    private let done = DispatchSemaphore(value: 0)

    func start(port: Int) {
        Thread { [self] in
            let end = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < end {
                guard let fd = try? LoopbackSocket.connect(port: port) else {
                    refused.store(true, ordering: .relaxed)
                    break
                }
                close(fd)
                connections.add(1, ordering: .relaxed)
            }
            done.signal()
        }.start()
    }

    /// Blocking: whether the storm ended with a refusal (rather than by its 60 s bound).
    func waitUntilRefused() -> Bool {
        done.wait()
        return refused.load(ordering: .relaxed)
    }
}
