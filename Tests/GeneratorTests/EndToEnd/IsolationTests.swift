import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Generator

/// Profiles bound to sources: a failing or hung source holds back only the profiles that use it; configs that
/// share one output directory keep each other's index entries. The real binary against a real moto_server, with a
/// scripted loopback proxy in front of it for the source that fails.
@Suite(.enabled(if: MotoServer.canRun, "moto_server not installed"))
struct IsolationTests {
    /// tokyo → moto directly; osaka → the proxy (forwarding to moto until told otherwise). `office` uses tokyo,
    /// `remote` osaka, `both` the two.
    static func twoSourceConfig(moto: String, proxy: String, prefix: String, extra: String = "") -> String {
        """
        sources:
          - name: tokyo
            region: ap-northeast-1
            endpoint: \(moto)
          - name: osaka
            region: ap-northeast-1
            endpoint: \(proxy)
            timeout: 2s
        profiles:
          - name: office
            prefixes: [\(prefix)]
            address: private
            sources: [tokyo]
          - name: remote
            prefixes: [\(prefix)]
            address: private
            hostnames: ["{name}.osaka"]
            sources: [osaka]
          - name: both
            prefixes: [\(prefix)]
            address: private
            hostnames: ["{name}.both"]
        output: pub
        retry:
          max-attempts: 2
          base-delay: 0.01
          max-delay: 0.02
        \(extra)
        """
    }

    @Test func oneSourceDownPublishesTheProfilesThatDoNotUseIt() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let motoPort = Int(moto.split(separator: ":").last!)!
        let prefix = SharedMoto.uniquePrefix("iso")
        _ = try await offThePool { try MotoSeeder(endpoint: moto).create([.init(name: "alpha", prefix: prefix)]) }
        let script = ProxyScript(motoPort: motoPort)
        let proxy = try ScriptedHTTPServer { script.reply(to: $0) }
        defer { proxy.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml", Self.twoSourceConfig(moto: moto, proxy: proxy.baseURL, prefix: prefix))
        let first = try await offThePool { try GeneratorRun.run(["generate", "--config", config]) }
        #expect(first.status == 0, "\(first.stderr)")
        let remoteBefore = try #require(folder.read("pub/remote.hosts"))
        let bothBefore = try #require(folder.read("pub/both.hosts"))
        // `both` sees alpha through tokyo and osaka (one moto): listed once, and not reported as skipped.
        #expect(bothBefore.components(separatedBy: " alpha.both\n").count == 2, "\(bothBefore)")
        #expect(!first.stderr.contains("instance skipped"), "\(first.stderr)")
        let indexBefore = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: folder.file("pub/index.json"))))

        _ = try await offThePool { try MotoSeeder(endpoint: moto).create([.init(name: "beta", prefix: prefix)]) }
        script.set(.always(.xml(CannedEC2.error("AuthFailure", "AWS was not able to validate"), status: 401)))
        let dry = try await offThePool { try GeneratorRun.run(["generate", "--config", config, "--dry-run"]) }
        #expect(dry.status == 1, "a dry run exits as the real run would: \(dry.stderr)")
        #expect(dry.stdout.contains("+"), "the diff of office: \(dry.stdout)")
        #expect(dry.stdout.split(separator: "\n").contains { $0.hasPrefix("+") && $0.hasSuffix(" beta") })

        let run = try await offThePool { try GeneratorRun.run(["generate", "--config", config]) }
        #expect(run.status == 1)
        #expect(
            run.stderr.contains(
                "hosts-generator: error: source osaka, page 1: AuthFailure: AWS was not able to validate (HTTP 401); not published: remote, both\n"
            ), "\(run.stderr)")
        #expect(run.stdout.contains("remote: NOT PUBLISHED (source osaka failed); the published version is kept"))
        #expect(folder.read("pub/office.hosts")?.contains(" beta\n") == true, "office uses only tokyo")
        #expect(folder.read("pub/remote.hosts") == remoteBefore)
        #expect(folder.read("pub/both.hosts") == bothBefore)
        let index = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: folder.file("pub/index.json"))))
        #expect(index.profiles.map(\.name) == ["both", "office", "remote"])
        #expect(index.profiles[0] == indexBefore.profiles[0], "a held-back profile's entry is not touched")
        #expect(index.profiles[2] == indexBefore.profiles[2])
        #expect(index.profiles[1].entries == 2)
    }

    @Test func aHungSourceIsCutByItsTimeout() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("hung")
        _ = try await offThePool { try MotoSeeder(endpoint: moto).create([.init(name: "alpha", prefix: prefix)]) }
        let release = DispatchSemaphore(value: 0)
        let hung = try ScriptedHTTPServer { _ in
            _ = release.wait(timeout: .now() + 30)
            return .xml(CannedEC2.page([], token: nil))
        }
        defer {
            for _ in 0..<8 { release.signal() }
            hung.stop()
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write("p.yml", Self.twoSourceConfig(moto: moto, proxy: hung.baseURL, prefix: prefix))
        let started = Date()
        let run = try await offThePool { try GeneratorRun.run(["generate", "--config", config]) }
        let elapsed = Date().timeIntervalSince(started)
        #expect(run.status == 1)
        #expect(
            run.stderr.contains("error: source osaka: no complete answer from \(hung.baseURL)"), "\(run.stderr)")
        #expect(
            run.stderr.contains("within 2s (its timeout:); cut; not published: remote, both"), "\(run.stderr)")
        #expect(elapsed < 25, "cut at about 2 s, not when the hung server lets go at 30 s: \(elapsed)")
        #expect(folder.read("pub/office.hosts")?.contains(" alpha\n") == true)
        #expect(folder.read("pub/remote.hosts") == nil)
    }

    @Test func twoConfigsShareOneDirectory() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("share")
        _ = try await offThePool { try MotoSeeder(endpoint: moto).create([.init(name: "alpha", prefix: prefix)]) }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var configs: [String] = []
        for name in ["alpha", "beta", "gamma"] {
            configs.append(
                try folder.write(
                    "\(name).yml",
                    """
                    sources:
                      - name: tokyo
                        region: ap-northeast-1
                        endpoint: \(moto)
                    profiles:
                      - name: \(name)
                        prefixes: [\(prefix)]
                        address: private
                    output: pub
                    """))
        }
        // Three generators at once, twice: each keeps the others' entries (the index is merged under a lock).
        for round in 0..<2 {
            let results = try await withThrowingTaskGroup(of: BuiltProducts.Result.self) { group in
                for config in configs {
                    group.addTask { try await offThePool { try GeneratorRun.run(["generate", "--config", config]) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.status == 0 }, "round \(round): \(results.map(\.stderr))")
            let index = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: folder.file("pub/index.json"))))
            #expect(index.profiles.map(\.name) == ["alpha", "beta", "gamma"], "round \(round)")
        }
    }

    @Test func japaneseAndMixedNamesBecomeTheALabelsPythonIdnaGives() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("idn")
        let tags = ["検品サーバ01", "検品サーバ-app", "出荷サーバ-app", "Straße 2", "ＤＢ　サーバ"]
        let created = try await offThePool {
            try MotoSeeder(endpoint: moto).create(
                tags.map { .init(name: $0, prefix: prefix) } + [.init(name: "・・・", prefix: prefix)])
        }
        print("Name tags:", tags)
        let expected = try await PythonIDNA.aLabels([
            "検品サーバ01", "検品サーバ-app", "出荷サーバ-app", "Straße-2", "ＤＢ-サーバ",
        ])
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml", GeneratorRun.config(endpoint: moto, prefixes: [prefix], output: "pub"))
        let run = try await offThePool { try GeneratorRun.run(["generate", "--config", config]) }
        #expect(run.status == 0, "\(run.stderr)")
        let remote = try #require(folder.read("pub/remote.hosts"))
        let names = try StrictParser.parse(Array(remote.utf8), source: "remote")
        var byAddress: [String: [String]] = [:]
        for entry in names { byAddress[entry.address.description] = entry.hostnames.map(\.value) }
        for (index, tag) in tags.enumerated() {
            let label = try #require(expected[index], "python accepts \(tag)")
            let instance = created[index]
            #expect(byAddress[instance.privateIP!] == [label, "\(label).\(prefix)"], "\(tag)")
        }
        // Nothing usable in the Name: skipped, and said once with its id, Name and reason.
        let skipped = created[tags.count]
        let lines = run.stderr.split(separator: "\n").filter { $0.contains("instance skipped") }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("instance=\(skipped.id)") == true)
        #expect(lines.first?.contains("name=・・・") == true)
        #expect(lines.first?.contains("reason=no-name") == true)
        #expect(lines.first?.contains("profiles=office,remote") == true)
    }
}
