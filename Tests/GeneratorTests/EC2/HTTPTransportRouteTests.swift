import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Generator

/// Which way the generator's requests go and whom they trust: proxies from the environment (shared with the
/// client, ``ProxySettings``), a private CA from `AWS_CA_BUNDLE` or the profile's `ca_bundle`, and where container
/// credentials may be sent. Real servers on loopback: a CONNECT proxy, the real hosts-server over TLS.
@Suite struct HTTPTransportRouteTests {
    func get(_ url: String, environment: [String: String]) async throws -> HTTPResponse {
        let transport = HTTPTransport(
            timeout: 10,
            environment: ProcessEnvironment(environment.merging(["HOME": "/nonexistent"]) { old, _ in old }))
        do {
            let response = try await transport.send(method: "GET", url: URL(string: url)!)
            transport.shutdown()
            return response
        } catch {
            transport.shutdown()
            throw error
        }
    }

    @Test func aProxyFromTheEnvironmentCarriesTheRequestUnlessNoProxySaysOtherwise() async throws {
        let server = try ScriptedHTTPServer { _ in .text("through\n") }
        let proxy = try TunnelProxy()
        defer {
            server.stop()
            proxy.stop()
        }
        let via = try await get(server.url("/p"), environment: ["http_proxy": "http://127.0.0.1:\(proxy.port)"])
        #expect(via.status == 200)
        #expect(proxy.tunnels.map(\.target) == ["127.0.0.1:\(server.port)"])
        for bypass in ["127.0.0.1", "127.0.0.0/8", "*"] {
            let direct = try await get(
                server.url("/p"),
                environment: ["http_proxy": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": bypass])
            #expect(direct.status == 200)
        }
        #expect(proxy.tunnels.count == 1, "NO_PROXY bypasses the proxy")
        #expect(server.requests.count == 4)
    }

    @Test func aProxyThatDoesNotParseFailsTheRequestNamingTheVariable() async throws {
        await #expect {
            _ = try await get("http://127.0.0.1:9/", environment: ["http_proxy": "ftp://p.example"])
        } throws: { error in
            let error = error as? HTTPTransportError
            return error?.reason.contains("http_proxy") == true && error?.isRetryable == false
        }
    }

    @Test(.enabled(if: TestCertificates.available, "needs openssl"))
    func aPrivateCAIsTrustedFromAWSCABundleOrTheProfile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.file("pub"), withIntermediateDirectories: true)
        _ = try folder.write("pub/office.hosts", "10.0.0.1 alpha\n")
        let company = try TestCertificates(in: folder.path, name: "company")
        let server = try await offThePool {
            try HostsServerProcess(
                directory: folder.file("pub"), tls: (company.serverCertificate, company.serverKey))
        }
        defer { server.stop() }
        let url = server.url("/profiles/office")

        let bundled = try await get(url, environment: ["AWS_CA_BUNDLE": company.caCertificate])
        #expect(bundled.status == 200)
        #expect(String(decoding: bundled.body, as: UTF8.self).contains("10.0.0.1 alpha"))

        let config = try folder.write("config", "[default]\nca_bundle = \(company.caCertificate)\n")
        let profiled = try await get(url, environment: ["AWS_CONFIG_FILE": config, "HOME": folder.path])
        #expect(profiled.status == 200)

        await #expect {
            _ = try await get(url, environment: ["HOME": folder.path])
        } throws: { error in
            "\(error)".contains("TLS handshake with localhost:\(server.port) failed")
        }
        await #expect {
            _ = try await get(url, environment: ["AWS_CA_BUNDLE": folder.file("config")])
        } throws: { error in
            let error = error as? HTTPTransportError
            return error?.reason.hasPrefix("AWS_CA_BUNDLE: not a readable PEM certificate bundle") == true
                && error?.isRetryable == false
        }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/creds", true),
        ("http://127.1.2.3/creds", true),
        ("http://[::1]:8080/creds", true),
        ("http://localhost/creds", true),
        ("http://169.254.170.2/v2/credentials/x", true),
        ("http://169.254.170.23/v1/credentials", true),
        ("http://[fd00:ec2::23]/v1/credentials", true),
        ("https://creds.example.com/v1", true),
        ("http://creds.example.com/v1", false),
        ("http://10.0.0.5/creds", false),
        ("http://169.254.169.254/latest", false),
        ("http://[fd00:ec2::24]/v1", false),
        ("ftp://127.0.0.1/creds", false),
    ])
    func containerCredentialsGoOverPlainHTTPOnlyWhereBotocoreAllows(url: String, allowed: Bool) {
        let refusal = ContainerCredentialsProvider.refusal(of: URL(string: url)!)
        #expect((refusal == nil) == allowed, "\(url): \(refusal ?? "allowed")")
    }

    @Test func aContainerURIToAnotherHostIsRefusedBeforeTheTokenIsSent() async throws {
        let transport = HTTPTransport(timeout: 2, environment: ProcessEnvironment(["HOME": "/nonexistent"]))
        defer { transport.shutdown() }
        let provider = ContainerCredentialsProvider(
            environment: ProcessEnvironment([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.10/creds",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "secret-token",
            ]),
            transport: transport)
        await #expect {
            _ = try await provider.credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI") && text.contains("192.0.2.10")
                && text.contains("use https") && !text.contains("secret-token") && !text.contains("\n")
        }
    }
}
