import Foundation
import TestSupport
import Testing

/// `--ca-file`: HTTPS to a server whose certificate comes from a private CA, against the real hosts-server.
@Suite struct PrivateCATests {
    @Test(.enabled(if: TestCertificates.available, "needs openssl"))
    func privateCAIsTrustedOnlyWhereConfigured() throws {
        let sandbox = try ClientSandbox()
        let published = sandbox.root + "/published"
        try FileManager.default.createDirectory(atPath: published, withIntermediateDirectories: true)
        try sandbox.write("10.0.0.1 alpha\n", to: published + "/office.hosts")
        let company = try TestCertificates(in: sandbox.root, name: "company")
        let other = try TestCertificates(in: sandbox.root, name: "other")
        let server = try HostsServerProcess(
            directory: published, tls: (company.serverCertificate, company.serverKey))
        defer { server.stop() }
        let url = server.url("/profiles/office")

        // The system's CAs do not know the company CA.
        let plain = try sandbox.run(["add", "office", "--url", url])
        #expect(!plain.ok)
        #expect(plain.stderr.contains("not added"))
        // Another private CA is no better.
        let wrong = try sandbox.run(["add", "office", "--url", url, "--ca-file", other.caCertificate])
        #expect(!wrong.ok)
        #expect(wrong.stderr.contains("TLS"), "\(wrong.stderr)")

        try sandbox.succeed(["add", "office", "--url", url, "--ca-file", company.caCertificate])
        #expect(sandbox.blockLines.contains("10.0.0.1 alpha"))
        let sync = try sandbox.succeed(["sync", "--force"])
        #expect(sync.stdout.contains("office: not modified"), "conditional GET over the private-CA path")
        #expect(try sandbox.succeed(["status"]).stdout.contains("CA \(company.caCertificate)"))
    }

    @Test func caFileNeedsHTTPS() throws {
        let sandbox = try ClientSandbox()
        let add = try sandbox.run(["add", "office", "--url", "http://127.0.0.1:1/p", "--ca-file", "/etc/hostname"])
        #expect(!add.ok)
        #expect(add.stderr.contains("--ca-file needs an https:// URL"))
    }
}
