import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real hosts-server under a descriptor limit of 200 (set with prlimit for the server alone) and
/// more connections than that: before the connection limit it died with SIGILL within seconds (libdispatch
/// crashes when its once-a-second worker monitor cannot open /proc); now it closes the longest-idle
/// connection for each new one, keeps answering, logs it and counts it.
@Suite struct DescriptorExhaustionTests {
    static let limit = 200
    /// (200 - max(64, 200/4)) / 4 descriptors a connection, as `--max-connections` defaults to.
    static let expectedMaximum = 34

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit"))
    func moreConnectionsThanDescriptorsLeaveTheServerUpAndAnswering() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("hosts-server-fd-\(UUID()).log")
            .path
        defer { try? FileManager.default.removeItem(atPath: logFile) }
        let server = try await offThePool {
            try HostsServerProcess(directory: fixture.path, descriptorLimit: Self.limit, logFile: logFile)
        }
        defer { server.stop() }

        // 300 idle connections, one and a half times the descriptor limit, each connected in turn.
        let port = server.port
        let sockets = try await offThePool { try (0..<300).map { _ in try LoopbackSocket.connect(port: port) } }
        defer { for fd in sockets { close(fd) } }

        // The libdispatch monitor runs once a second: a crash would show within 3 s of requests (at least 3
        // answers, however slow a loaded machine makes them; 120 s at most: under load a request waits behind
        // the flood's handshakes in the full accept queue, and 30 s gave 2 answers once).
        let start = ContinuousClock.now
        var answered = 0
        while ContinuousClock.now - start < .seconds(120), ContinuousClock.now - start < .seconds(3) || answered < 3 {
            // A generous timeout: a loaded machine is slow, a dead server shows as no answer at all.
            let response = try await RawHTTPClient.request("GET", "/profiles/office", port: port, timeoutSeconds: 30)
            #expect(response.status == 200)
            answered += 1
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(answered >= 3)
        #expect(server.isRunning, "hosts-server ended: \(server.terminationDescription)")

        // Every flood connection beyond the limit is shed once the server has accepted it; a loaded server may
        // not have accepted the last of them yet (the listen backlog is 256; a handshake the full queue dropped
        // completes later and can be overtaken by a newer connection), so wait until the flood's own sockets
        // show it, then read the counters.
        let shedEnough = await eventually(seconds: 60) {
            Self.closedByPeer(sockets) >= 300 - Self.expectedMaximum
        }
        #expect(shedEnough, "\(Self.closedByPeer(sockets)) of 300 connections closed by the server")
        let metrics = try await RawHTTPClient.request("GET", "/metrics", port: port).text
        #expect(metrics.contains("hosts_server_connections_max \(Self.expectedMaximum)"))
        let shed = Self.value(of: #"hosts_server_connections_shed_total{reason="idle"}"#, in: metrics) ?? 0
        #expect(shed >= 300 - Double(Self.expectedMaximum))
        let open = Self.value(of: "hosts_server_connections", in: metrics) ?? .infinity
        #expect(open <= Double(Self.expectedMaximum))
        let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        #expect(log.contains("at the connection limit"), "log: \(log)")
        #expect(log.contains("max_connections=\(Self.expectedMaximum)"))

        // Once the flood is gone it still answers.
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        let after = try await RawHTTPClient.request("GET", "/profiles/office", port: port)
        #expect(after.status == 200)
        #expect(server.isRunning, "hosts-server ended: \(server.terminationDescription)")
    }

    @Test func maxConnectionsBeyondTheDescriptorLimitIsRefusedAtStart() throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let result = try BuiltProducts.run(
            "/usr/bin/prlimit",
            ["--nofile=\(Self.limit):\(Self.limit)", "--", try BuiltProducts.path(of: "hosts-server")]
                + ["--dir", fixture.path, "--port", "0", "--max-connections", "1000"])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("--max-connections 1000: the descriptor limit (RLIMIT_NOFILE 200) holds at most"))
    }

    /// How many of `sockets` the peer has closed (end of stream or reset), never blocking.
    static func closedByPeer(_ sockets: [Int32]) -> Int {
        var byte: UInt8 = 0
        return sockets.filter { fd in
            let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        }.count
    }

    /// The sample value of the series named exactly `series` in a Prometheus text exposition.
    static func value(of series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
