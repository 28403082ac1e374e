import Foundation
import TestSupport
import Testing

@testable import Server

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
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        let keys = try Self.selfSignedKeys()
        defer { keys.remove() }
        let server = try await offThePool {
            try HostsServerProcess(
                directory: fixture.path, tls: (certificate: "\(keys.path)/cert.pem", key: "\(keys.path)/key.pem"))
        }
        defer { server.stop() }
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
