import Foundation
import TestSupport
import Testing

/// Segments fetched through the proxy the environment names (`http_proxy`, `https_proxy`, `no_proxy`), against a
/// real CONNECT proxy on loopback: the way corporate networks let machines out.
@Suite struct ProxyTests {
    func prepared() throws -> (ClientSandbox, ScriptedHTTPServer) {
        let (sandbox, server) = try TwoRemotes.prepared()
        try sandbox.succeed(["config", "timeout", "5s"])
        server.serveHosts("/profiles/office", TwoRemotes.office + "10.0.0.3 gamma\n", etag: "\"v2\"")
        return (sandbox, server)
    }

    @Test func syncGoesThroughTheProxyTheEnvironmentNames() throws {
        let (sandbox, server) = try prepared()
        let proxy = try TunnelProxy()
        defer {
            server.stop()
            proxy.stop()
        }
        let sync = try sandbox.run(["sync", "--force"], environment: ["http_proxy": "127.0.0.1:\(proxy.port)"])
        #expect(sync.ok, "\(sync.stderr)")
        #expect(proxy.tunnels.map(\.target).contains("127.0.0.1:\(server.port)"), "\(proxy.tunnels)")
        #expect(proxy.tunnels.allSatisfy { $0.authorization == nil })
        #expect(sandbox.blockLines.contains("10.0.0.3 gamma"))
    }

    /// `no_proxy` (an address, a range, `*`) and an upper-case HTTP_PROXY (httpoxy) leave the fetch direct.
    @Test(arguments: [
        ["http_proxy": "PROXY", "no_proxy": "127.0.0.1"],
        ["http_proxy": "PROXY", "NO_PROXY": "hosts.example, 127.0.0.0/8"],
        ["all_proxy": "PROXY", "no_proxy": "*"],
        ["HTTP_PROXY": "PROXY"],
        ["https_proxy": "PROXY"],
    ])
    func whatBypassesTheProxyGoesDirect(environment: [String: String]) throws {
        let (sandbox, server) = try prepared()
        let proxy = try TunnelProxy()
        defer {
            server.stop()
            proxy.stop()
        }
        let env = environment.mapValues { $0 == "PROXY" ? "http://127.0.0.1:\(proxy.port)" : $0 }
        let sync = try sandbox.run(["sync", "--force"], environment: env)
        #expect(sync.ok, "\(env): \(sync.stderr)")
        #expect(proxy.tunnels.isEmpty, "\(env): \(proxy.tunnels)")
        #expect(sandbox.blockLines.contains("10.0.0.3 gamma"))
    }

    @Test func proxyCredentialsAreSentAndNeverShown() throws {
        let (sandbox, server) = try prepared()
        let proxy = try TunnelProxy(credentials: "alice:s3cret")
        defer {
            server.stop()
            proxy.stop()
        }
        let wrong = try sandbox.run(
            ["sync", "--force"], environment: ["http_proxy": "http://alice:wr0ng@127.0.0.1:\(proxy.port)"])
        #expect(!wrong.ok)
        #expect(wrong.stderr.contains("via proxy 127.0.0.1:\(proxy.port)"), "\(wrong.stderr)")
        #expect(wrong.stderr.contains("the proxy wants credentials"), "\(wrong.stderr)")
        let status = try sandbox.run(["status"])
        for shown in [wrong.stdout, wrong.stderr, status.stdout, status.stderr] {
            #expect(!shown.contains("wr0ng"), "password shown: \(shown)")
        }
        #expect(!sandbox.blockLines.contains("10.0.0.3 gamma"), "nothing new without the proxy")
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"), "cached copy kept")

        let right = try sandbox.run(
            ["sync", "--force"], environment: ["http_proxy": "http://alice:s3cret@127.0.0.1:\(proxy.port)"])
        #expect(right.ok, "\(right.stderr)")
        let expected = "Basic " + Data("alice:s3cret".utf8).base64EncodedString()
        #expect(proxy.tunnels.last?.authorization == expected)
        #expect(sandbox.blockLines.contains("10.0.0.3 gamma"))
    }

    @Test func aProxyThatIsDownOrRefusesFailsNamingIt() throws {
        let (sandbox, server) = try prepared()
        // squid's default: CONNECT only to SSL ports.
        let strict = try TunnelProxy(allowedPorts: [443])
        defer {
            server.stop()
            strict.stop()
        }
        let requestsBefore = server.requests(to: "/profiles/office").count
        let downProxy = try RefusingPort()
        defer { downProxy.close() }
        let downPort = downProxy.port
        let down = try sandbox.run(["sync", "--force"], environment: ["http_proxy": "127.0.0.1:\(downPort)"])
        #expect(!down.ok)
        #expect(
            down.stderr.contains("cannot connect to 127.0.0.1:\(server.port) via proxy 127.0.0.1:\(downPort)"),
            "\(down.stderr)")

        let refused = try sandbox.run(["sync", "--force"], environment: ["http_proxy": "127.0.0.1:\(strict.port)"])
        #expect(!refused.ok)
        #expect(refused.stderr.contains("the proxy refused the tunnel"), "\(refused.stderr)")
        #expect(server.requests(to: "/profiles/office").count == requestsBefore, "never went direct")
        #expect(sandbox.blockLines.contains("10.0.0.2 beta"), "cached copy kept")
    }

    @Test func aBadProxyVariableIsAnErrorNotADirectConnection() throws {
        let (sandbox, server) = try prepared()
        defer { server.stop() }
        let requestsBefore = server.requests(to: "/profiles/office").count
        let sync = try sandbox.run(["sync", "--force"], environment: ["http_proxy": "ftp://127.0.0.1:21"])
        #expect(!sync.ok)
        #expect(sync.stderr.contains("http_proxy: proxy scheme ftp is not supported"), "\(sync.stderr)")
        #expect(server.requests(to: "/profiles/office").count == requestsBefore)
    }
}
