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
        let keys = try PublishedFixture()
        defer { keys.remove() }
        let made = try Self.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-keyout", "\(keys.path)/key.pem", "-out", "\(keys.path)/cert.pem",
            ])
        #expect(made.status == 0)
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
