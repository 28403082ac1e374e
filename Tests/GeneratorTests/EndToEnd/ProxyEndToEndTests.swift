import Foundation
import HostsCore
import TestSupport
import Testing

/// hosts-generator behind a corporate proxy: the environment's proxy variables (read as curl and the AWS SDKs read
/// them, by the same ``ProxySettings`` as hosts-client) carry the DescribeInstances requests to moto through a real
/// CONNECT proxy, and `NO_PROXY` sends them direct.
@Suite(.enabled(if: MotoServer.canRun, "moto_server not installed"))
struct ProxyEndToEndTests {
    @Test func theGeneratorReachesMotoThroughTheProxyUnlessNoProxySaysOtherwise() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let motoPort = Int(moto.split(separator: ":").last!)!
        let prefix = SharedMoto.uniquePrefix("proxied")
        _ = try await offThePool { try MotoSeeder(endpoint: moto).create([.init(name: "alpha", prefix: prefix)]) }
        let proxy = try TunnelProxy()
        defer { proxy.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml", GeneratorRun.config(endpoint: moto, prefixes: [prefix], output: "pub"))
        let proxied = ["http_proxy": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": "", "no_proxy": ""]

        let through = try await offThePool {
            try GeneratorRun.run(["generate", "--config", config], environment: proxied)
        }
        #expect(through.status == 0, "\(through.stderr)")
        #expect(folder.read("pub/office.hosts")?.contains(" alpha\n") == true)
        #expect(proxy.tunnels.map(\.target) == ["127.0.0.1:\(motoPort)"], "one sweep, one tunnel")

        let bypassing = proxied.merging(["NO_PROXY": "localhost,127.0.0.1"]) { $1 }
        let direct = try await offThePool {
            try GeneratorRun.run(["generate", "--config", config], environment: bypassing)
        }
        #expect(direct.status == 0, "\(direct.stderr)")
        #expect(proxy.tunnels.count == 1, "NO_PROXY=127.0.0.1 goes direct")

        proxy.stop()
        let proxyDown = try await offThePool {
            try GeneratorRun.run(["generate", "--config", config], environment: proxied)
        }
        #expect(proxyDown.status == 1, "a proxy that is named but down is an error, never a direct connection")
        #expect(proxyDown.stderr.contains("via proxy 127.0.0.1:\(proxy.port)"), "\(proxyDown.stderr)")
    }
}
