import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct TLSTests {
    static let tools = ["/usr/bin/openssl", "/usr/bin/curl"]
    static var toolsPresent: Bool { tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }

    /// Serves HTTPS with a self-signed certificate made by `openssl req`; fetched with `curl`.
    @Test(.enabled(if: toolsPresent, "needs openssl and curl"))
    func servesProfilesOverTLS() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        let keys = try Self.selfSignedKeys()
        defer { keys.remove() }
        var options = fixture.options()
        options.tls = .init(certificate: "\(keys.path)/cert.pem", privateKey: "\(keys.path)/key.pem")
        try await fixture.withServer(options) { _, port in
            let fetched = try Self.run(
                "/usr/bin/curl",
                [
                    "-sS", "--max-time", "10", "--cacert", "\(keys.path)/cert.pem",
                    "https://localhost:\(port)/profiles/office",
                ])
            #expect(fetched.status == 0)
            #expect(fetched.output == Array(SampleProfiles.office.utf8))
            // Plain HTTP on the TLS port gets no profile.
            let plain = try? await RawHTTPClient.request("GET", "/profiles/office", port: port, timeoutSeconds: 5)
            #expect(plain?.body != Array(SampleProfiles.office.utf8))
        }
    }

    /// RFC 8996: the real binary refuses TLS 1.0 and 1.1 handshakes and completes 1.2 and 1.3 ones
    /// (`openssl s_client` at security level 0, so the client is willing to offer the old versions).
    @Test(.enabled(if: toolsPresent, "needs openssl"))
    func onlyTLS12AndNewerAreNegotiated() async throws {
        try await Self.withTLSServer { server, _ in try await Self.onlyTLS12AndNewerAreNegotiated(server) }
    }

    private static func onlyTLS12AndNewerAreNegotiated(_ server: HostsServerProcess) async throws {
        for (version, accepted) in [("-tls1", false), ("-tls1_1", false), ("-tls1_2", true), ("-tls1_3", true)] {
            let handshake = try await offThePool {
                // Input from /dev/null: s_client ends right after the handshake.
                try BuiltProducts.run(
                    "/bin/sh",
                    [
                        "-c",
                        "exec /usr/bin/timeout 10 /usr/bin/openssl s_client -connect 127.0.0.1:\(server.port) \(version)"
                            + " -cipher DEFAULT@SECLEVEL=0 -brief </dev/null",
                    ])
            }
            #expect((handshake.status == 0) == accepted, "\(version): \(handshake.stderr)")
        }
    }

    /// Closing to make room under TLS: a client that completed its handshake and then neither reads nor sends
    /// close_notify (an `openssl s_client` stopped by SIGSTOP) is closed all the same — NIOSSL's wait for the
    /// client's close_notify is bounded (by the grace) — and the connections arriving at the limit are served.
    @Test(.enabled(if: toolsPresent, "needs openssl and curl"))
    func atTheLimitASilentTLSClientIsClosedToMakeRoom() async throws {
        // An idle timeout far off, so that only closing to make room can close the silent client.
        try await Self.withTLSServer(extraArguments: ["--max-connections", "1", "--idle-timeout", "300s"]) {
            server, keys in try await Self.atTheLimitASilentTLSClientIsClosedToMakeRoom(server, keys)
        }
    }

    private static func atTheLimitASilentTLSClientIsClosedToMakeRoom(
        _ server: HostsServerProcess, _ keys: PublishedFixture
    ) async throws {
        let port = server.port
        let outcome = try await offThePool { () -> (silentPort: Int?, fetched: [Bool], closed: Bool) in
            let silent = try SilentTLSClient(port: port)
            defer { silent.kill() }
            var fetched: [Bool] = []
            for _ in 0..<3 {
                let fetch = try Self.run(
                    "/usr/bin/curl",
                    [
                        "-sS", "--max-time", "10", "--cacert", "\(keys.path)/cert.pem",
                        "https://localhost:\(port)/profiles/office",
                    ])
                fetched.append(fetch.status == 0 && fetch.output == Array(SampleProfiles.office.utf8))
            }
            // Far from the grace (1 s, then as long again for close_notify): only an unbounded close fails it.
            let deadline = ContinuousClock.now + .seconds(20)
            var closed = false
            while !closed, ContinuousClock.now < deadline {
                closed = !LoopbackSocket.tcpConnections().contains {
                    $0.localPort == silent.localPort && $0.remotePort == port && $0.state == 1
                }
                if !closed { usleep(20_000) }
            }
            return (silent.localPort, fetched, closed)
        }
        #expect(outcome.silentPort != nil, "the silent client's connection was not found")
        #expect(outcome.fetched == [true, true, true], "a connection at the limit was not served")
        #expect(outcome.closed, "the silent TLS client's connection is still established")
    }

    @Test func badCertificateFileStopsStartup() throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("cert.pem", "not a certificate")
        var options = fixture.options()
        options.tls = .init(certificate: "\(fixture.path)/cert.pem", privateKey: "\(fixture.path)/key.pem")
        let error = #expect(throws: ServerSetupError.self) {
            _ = try buildApplication(options: options, logger: .init(label: "t"))
        }
        #expect(error?.description.hasPrefix("--tls-cert") == true)
    }

    /// The real binary serving `office.hosts` over TLS with ``selfSignedKeys()``, for `body`; stopped and removed
    /// after.
    static func withTLSServer(
        extraArguments: [String] = [], _ body: (HostsServerProcess, PublishedFixture) async throws -> Void
    ) async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        let keys = try Self.selfSignedKeys()
        defer { keys.remove() }
        let server = try await offThePool {
            try HostsServerProcess(
                directory: fixture.path, tls: (certificate: "\(keys.path)/cert.pem", key: "\(keys.path)/key.pem"),
                extraArguments: extraArguments)
        }
        defer { server.stop() }
        try await body(server, keys)
    }

    /// A folder holding `key.pem` and `cert.pem`: a one-day self-signed certificate for localhost, made by
    /// `openssl req`.
    static func selfSignedKeys() throws -> PublishedFixture {
        let keys = try PublishedFixture()
        let made = try run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-keyout", "\(keys.path)/key.pem", "-out", "\(keys.path)/cert.pem",
            ])
        #expect(made.status == 0)
        return keys
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: [UInt8]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, Array(output))
    }
}

/// `openssl s_client` connected to a TLS port, its handshake complete, then stopped (SIGSTOP): it neither reads
/// nor sends close_notify, nor closes, until ``kill()``. Blocking: off the pool.
private final class SilentTLSClient {
    private let process = Process()
    /// Kept open: s_client ends at the end of its input.
    private let input = Pipe()
    /// Its side of the connection (``LoopbackSocket/tcpConnections()``), nil if not found.
    private(set) var localPort: Int?

    init(port: Int) throws {
        let before = Set(LoopbackSocket.tcpConnections().filter { $0.remotePort == port }.map(\.localPort))
        let errors = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-brief"]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        // A handshake that never ends ends here: killed, its output ends too.
        let pid = process.processIdentifier
        let handshaking = Flag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 30) {
            if handshaking.value.load(ordering: .relaxed) { Glibc.kill(pid, SIGKILL) }
        }
        defer { handshaking.value.store(false, ordering: .relaxed) }
        var said = ""
        while !said.contains("CONNECTION ESTABLISHED") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure(description: "s_client ended before its handshake: \(said)") }
            said += String(decoding: chunk, as: UTF8.self)
        }
        Glibc.kill(pid, SIGSTOP)
        localPort =
            LoopbackSocket.tcpConnections().first {
                $0.remotePort == port && $0.state == 1 && !before.contains($0.localPort)
            }?.localPort
    }

    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private final class Flag: Sendable {
        let value = Atomic(true)
    }
}
