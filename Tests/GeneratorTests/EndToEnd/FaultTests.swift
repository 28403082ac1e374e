import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Generator

/// Failures moto cannot produce, from a real loopback server in front of it. In every failure the published
/// files stay byte for byte what they were.
@Suite(.enabled(if: MotoServer.canRun, "moto_server not installed"))
struct FaultTests {
    /// A published baseline (3 instances through the proxy), and a way to compare against it.
    struct Fixture {
        var folder: TemporaryFolder
        var config: String
        var proxy: ScriptedHTTPServer
        var script: ProxyScript
        var baseline: [String: String]

        func published() -> [String: String] {
            var out: [String: String] = [:]
            for name in ["office.hosts", "remote.hosts", "index.json"] { out[name] = folder.read("pub/\(name)") }
            return out
        }

        func cleanup() {
            proxy.stop()
            folder.remove()
        }
    }

    func fixture() async throws -> Fixture {
        let endpoint = try await SharedMoto.instance.endpoint()
        let motoPort = Int(endpoint.split(separator: ":").last!)!
        let prefix = SharedMoto.uniquePrefix("apne1a-prod")
        _ = try MotoSeeder(endpoint: endpoint).create([
            .init(name: "one", prefix: prefix), .init(name: "two", prefix: prefix),
            .init(name: "three", prefix: prefix),
        ])
        let script = ProxyScript(motoPort: motoPort)
        let proxy = try ScriptedHTTPServer { request in script.reply(to: request) }
        let folder = try TemporaryFolder()
        let config = try folder.write(
            "p.yml", GeneratorRun.config(endpoint: proxy.baseURL, prefixes: [prefix], output: "pub"))
        let first = try GeneratorRun.run(["generate", "--config", config])
        #expect(first.status == 0, "\(first.stderr)")
        var fixture = Fixture(folder: folder, config: config, proxy: proxy, script: script, baseline: [:])
        fixture.baseline = fixture.published()
        #expect(fixture.baseline["office.hosts"]?.contains(" one\n") == true)
        return fixture
    }

    @Test func throttlingIsRetriedThenSucceeds() async throws {
        let f = try await fixture()
        defer { f.cleanup() }
        f.script.set(
            .failFirst(
                2, .xml(CannedEC2.error("RequestLimitExceeded", "Request limit exceeded."), status: 503)))
        let run = try GeneratorRun.run(["generate", "--config", f.config])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(f.script.requestsInPhase == 3)
        #expect(run.stderr.contains("retrying"))
        #expect(run.stdout.contains("office: 3 entries (was 3), unchanged"))
    }

    @Test(arguments: [
        (401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
        (403, "UnauthorizedOperation", "You are not authorized to perform this operation."),
        (400, "InvalidParameterValue", "Value (x) for parameter MaxResults is invalid."),
    ])
    func clientErrorsFailFast(status: Int, code: String, message: String) async throws {
        let f = try await fixture()
        defer { f.cleanup() }
        f.script.set(.always(.xml(CannedEC2.error(code, message), status: status)))
        let run = try GeneratorRun.run(["generate", "--config", f.config])
        #expect(run.status == 1)
        #expect(f.script.requestsInPhase == 1)
        let errorLine = run.stderr.split(separator: "\n").last.map(String.init)
        #expect(
            errorLine
                == "hosts-generator: error: source tokyo, page 1: \(code): \(message) (HTTP \(status)); not published: office, remote"
        )
        #expect(f.published() == f.baseline)
    }

    @Test func htmlServerErrorIsRetriedThenFails() async throws {
        let f = try await fixture()
        defer { f.cleanup() }
        f.script.set(
            .always(
                .text(
                    "<!DOCTYPE html>\n<html><body><h1>Internal Server Error</h1></body></html>", status: 500,
                    contentType: "text/html")))
        let run = try GeneratorRun.run(["generate", "--config", f.config])
        #expect(run.status == 1)
        #expect(f.script.requestsInPhase == 3)
        #expect(
            run.stderr.contains(
                "error: source tokyo, page 1: HTTP 500 without an EC2 error document: '<!DOCTYPE html>' (after 3 attempts)"
            ))
        #expect(f.published() == f.baseline)
    }

    @Test func truncatedPageFailsNamingThePage() async throws {
        let f = try await fixture()
        defer { f.cleanup() }
        let page2 = CannedEC2.page([("i-2", "b", "p", "10.0.0.2")], token: nil)
        f.script.set(
            .sequence([
                .xml(CannedEC2.page([("i-1", "a", "p", "10.0.0.1")], token: "next")),
                .xml(String(page2.prefix(page2.count * 2 / 3))),
            ]))
        let run = try GeneratorRun.run(["generate", "--config", f.config])
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: source tokyo, page 2: bad DescribeInstances response: line "))
        #expect(f.published() == f.baseline)
    }

    @Test func theShrinkGuardIsPerProfileAndForcedByName() async throws {
        let f = try await fixture()
        defer { f.cleanup() }
        f.script.set(.always(.xml(CannedEC2.page([], token: nil))))
        let refusal = { (profile: String) in
            "error: profile \(profile): would shrink from 3 to 0 entries (-100%, more than the shrink-guard 50%); not published (use --force \(profile) to publish anyway)"
        }
        let dry = try await offThePool { try GeneratorRun.run(["generate", "--config", f.config, "--dry-run"]) }
        #expect(dry.status == 3, "a dry run exits as the real run would: \(dry.stderr)")
        #expect(dry.stdout.contains("office: 0 entries (was 3), changed: \(f.folder.path)/pub/office.hosts — REFUSED"))
        #expect(
            dry.stdout.contains("--- \(f.folder.path)/pub/office.hosts\n+++ \(f.folder.path)/pub/office.hosts (new)\n"))
        #expect(dry.stdout.split(separator: "\n").filter { $0.hasPrefix("-") && $0.contains(" one") }.count == 2)

        let run = try await offThePool { try GeneratorRun.run(["generate", "--config", f.config]) }
        #expect(run.status == 3)
        #expect(run.stderr.contains(refusal("office")))
        #expect(run.stderr.contains(refusal("remote")))
        #expect(f.published()["office.hosts"] == f.baseline["office.hosts"])
        #expect(f.published()["remote.hosts"] == f.baseline["remote.hosts"])

        let one = try await offThePool {
            try GeneratorRun.run(["generate", "--config", f.config, "--force", "office"])
        }
        #expect(one.status == 3, "remote is still refused")
        #expect(!one.stderr.contains(refusal("office")))
        #expect(one.stderr.contains(refusal("remote")))
        #expect(f.folder.read("pub/office.hosts")?.split(separator: "\n").allSatisfy { $0.hasPrefix("#") } == true)
        #expect(f.published()["remote.hosts"] == f.baseline["remote.hosts"])
        let index = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: f.folder.file("pub/index.json"))))
        #expect(index.profiles.map(\.entries) == [0, 3])

        let unknown = try await offThePool {
            try GeneratorRun.run(["generate", "--config", f.config, "--force", "offce"])
        }
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--force offce: no such profile"))

        let all = try await offThePool { try GeneratorRun.run(["generate", "--config", f.config, "--force-all"]) }
        #expect(all.status == 0, "\(all.stderr)")
        #expect(f.folder.read("pub/remote.hosts")?.split(separator: "\n").allSatisfy { $0.hasPrefix("#") } == true)
    }

    @Test func connectionRefusedIsRetriedThenFails() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let down = try RefusingPort()
        defer { down.close() }
        let config = try folder.write(
            "p.yml", GeneratorRun.config(endpoint: "http://127.0.0.1:\(down.port)", prefixes: ["x"], output: "pub"))
        let run = try GeneratorRun.run(["generate", "--config", config])
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: source tokyo, page 1: connection failed:"))
        #expect(run.stderr.contains("(after 3 attempts)"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("pub")))
    }
}

/// Paging and the shape of the request, against a scripted endpoint only.
@Suite struct PagingTests {
    @Test func followsTokensThroughShortAndEmptyPages() async throws {
        let server = try ScriptedHTTPServer { request in
            let pages = [
                CannedEC2.page([("i-1", "Alpha", "pa", "10.0.0.1")], token: "t1"),
                CannedEC2.page([], token: "t2"),
                CannedEC2.page([("i-3", "Gamma", "pb", "10.0.0.3")], token: nil),
            ]
            return .xml(request.sequence < pages.count ? pages[request.sequence] : "")
        }
        defer { server.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml", GeneratorRun.config(endpoint: server.baseURL + "/base/", prefixes: ["pb", "pa"], output: "pub"))
        let run = try GeneratorRun.run(["generate", "--config", config])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("pages=3"))
        #expect(folder.read("pub/remote.hosts")?.contains("10.0.0.1 alpha alpha.pa\n10.0.0.3 gamma gamma.pb\n") == true)

        let requests = server.requests
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.method == "POST" && $0.path == "/base/" })
        #expect(
            requests[0].bodyText
                == "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3APrefix&Filter.1.Value.1=pa"
                + "&Filter.1.Value.2=pb&Filter.2.Name=instance-state-name&Filter.2.Value.1=running&MaxResults=1000")
        #expect(requests[1].bodyText.hasSuffix("&MaxResults=1000&NextToken=t1"))
        #expect(requests[2].bodyText.hasSuffix("&NextToken=t2"))
        let authorization = requests[0].headers["authorization"] ?? ""
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=test/"))
        #expect(
            authorization.contains(
                "/ap-northeast-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="))
        #expect(requests[0].headers["content-type"] == "application/x-www-form-urlencoded; charset=utf-8")
    }

    @Test func sessionTokenIsSentAndSigned() async throws {
        let server = try ScriptedHTTPServer { _ in .xml(CannedEC2.page([], token: nil)) }
        defer { server.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml", GeneratorRun.config(endpoint: server.baseURL, prefixes: ["pa"], output: "pub"))
        let run = try GeneratorRun.run(["generate", "--config", config], environment: ["AWS_SESSION_TOKEN": "sess"])
        #expect(run.status == 0, "\(run.stderr)")
        let request = try #require(server.requests.first)
        #expect(request.headers["x-amz-security-token"] == "sess")
        #expect(
            request.headers["authorization"]?.contains(
                "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,") == true)
    }
}
