import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Generator

/// Duplicates decided by state and launch time, shared addresses, JSON logs and `--every` re-reading its config:
/// the real binary against a real moto_server.
@Suite(.enabled(if: MotoServer.canRun, "moto_server not installed"))
struct OperationsTests {
    func entries(_ text: String?) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for entry in try StrictParser.parse(Array((text ?? "").utf8), source: "test") {
            out[entry.address.description, default: []].append(contentsOf: entry.hostnames.map(\.value))
        }
        return out
    }

    @Test func runningBeatsStoppedThenTheLatestLaunchWins() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("dup")
        // Launch times differ by more than moto's 1-second resolution.
        let created = try await offThePool {
            try MotoSeeder(endpoint: moto).create([
                .init(name: "app", prefix: prefix),
                .init(name: "app", prefix: prefix, state: "stopped", delayBefore: 1.1),
                .init(name: "twin", prefix: prefix),
                .init(name: "twin", prefix: prefix, delayBefore: 1.1),
            ])
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml",
            GeneratorRun.config(endpoint: moto, prefixes: [prefix], output: "pub", extra: "states: [running, stopped]"))
        let run = try await offThePool { try GeneratorRun.run(["generate", "--config", config]) }
        #expect(run.status == 0, "\(run.stderr)")
        let remote = try entries(folder.read("pub/remote.hosts"))
        // The running "app" keeps the name over the newer stopped one; of two running "twin", the newer.
        #expect(remote[created[0].privateIP!] == ["app", "app.\(prefix)"])
        #expect(remote[created[1].privateIP!] == nil, "the stopped app lost its only names")
        #expect(remote[created[3].privateIP!] == ["twin", "twin.\(prefix)"])
        #expect(remote[created[2].privateIP!] == nil)
        // One warning per duplicated name for the whole pass, not one per profile or per loser.
        for name in ["app", "twin", "app.\(prefix)"] {
            let warnings = run.stderr.split(separator: "\n").filter { $0.contains("duplicate hostname \(name):") }
            #expect(warnings.count == 1, "\(name): \(warnings)")
        }
        #expect(run.stderr.contains("duplicate hostname app: kept \(created[0].id) ("))
    }

    @Test func theSameAddressFromTwoSourcesIsWarnedAndBothKept() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("addr")
        let created = try await offThePool {
            try MotoSeeder(endpoint: moto).create([.init(name: "tokyo-web", prefix: prefix)])
        }
        let address = try #require(created[0].privateIP)
        // Another account's VPC reuses the address.
        let other = try ScriptedHTTPServer { _ in
            .xml(CannedEC2.page([("i-0other", "osaka-web", prefix, address)], token: nil))
        }
        defer { other.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml",
            """
            sources:
              - name: tokyo
                region: ap-northeast-1
                endpoint: \(moto)
              - name: osaka
                region: ap-northeast-3
                endpoint: \(other.baseURL)
            profiles:
              - name: remote
                prefixes: [\(prefix)]
                address: private
            output: pub
            """)
        let run = try await offThePool { try GeneratorRun.run(["generate", "--config", config]) }
        #expect(run.status == 0, "\(run.stderr)")
        let text = try #require(folder.read("pub/remote.hosts"))
        #expect(text.contains("\(address) tokyo-web\n\(address) osaka-web\n"), "\(text)")
        // The index counts the file's address lines, as a client reading it does (it said 1: distinct addresses).
        let index = try ProfileIndex.decode(Data(try #require(folder.read("pub/index.json")).utf8))
        let record = try #require(index.profiles.first { $0.name == "remote" })
        #expect(record.entries == (try StrictParser.parse(Array(text.utf8), source: "remote").count))
        #expect(record.entries == 2)
        let warnings = run.stderr.split(separator: "\n").filter {
            $0.contains("address \(address) is used by 2 instances")
        }
        #expect(warnings.count == 1, "\(run.stderr)")
        #expect(warnings.first?.contains("\(created[0].id)") == true)
        #expect(warnings.first?.contains("i-0other") == true)
    }

    @Test func jsonLogsParseLineByLine() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("json")
        _ = try await offThePool { try MotoSeeder(endpoint: moto).create([.init(name: "Web 1", prefix: prefix)]) }
        let osaka = try RefusingPort()
        defer { osaka.close() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try folder.write(
            "p.yml",
            """
            sources:
              - name: tokyo
                region: ap-northeast-1
                endpoint: \(moto)
              - name: osaka
                region: ap-northeast-3
                endpoint: http://127.0.0.1:\(osaka.port)
            profiles:
              - name: office
                prefixes: [\(prefix)]
                address: private
                sources: [tokyo]
              - name: remote
                prefixes: [\(prefix)]
                address: private
                sources: [osaka]
            output: pub
            retry:
              max-attempts: 1
            """)
        let run = try await offThePool {
            try GeneratorRun.run(["generate", "--config", config, "--log-format", "json"])
        }
        #expect(run.status == 1)
        var records: [[String: String]] = []
        for line in run.stderr.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            let record = try #require(object as? [String: String], "\(line)")
            #expect(record["level"] != nil && record["message"] != nil)
            let time = try #require(record["time"])
            #expect(try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(time) <= Date(), "\(time)")
            records.append(record)
        }
        let swept = try #require(records.first { $0["message"] == "source swept" })
        #expect(swept["source"] == "tokyo")
        #expect(swept["instances"] == "1")
        let error = try #require(records.first { $0["level"] == "error" })
        #expect(error["message"]?.hasPrefix("source osaka, page 1: connection failed:") == true)
        #expect(error["message"]?.hasSuffix("; not published: remote") == true)
    }

    @Test func everyRereadsTheConfigAndKeepsTheLastGoodOne() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("every")
        _ = try await offThePool { try MotoSeeder(endpoint: moto).create([.init(name: "alpha", prefix: prefix)]) }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let write = { (template: String) in
            try folder.write(
                "p.yml",
                """
                sources:
                  - name: tokyo
                    region: ap-northeast-1
                    endpoint: \(moto)
                profiles:
                  - name: office
                    prefixes: [\(prefix)]
                    address: private
                    hostnames: ["\(template)"]
                output: pub
                """)
        }
        let config = try write("{name}.one")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltProducts.path(of: "hosts-generator"))
        process.arguments = ["generate", "--config", config, "--every", "0.2s"]
        process.environment = [
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
            "HOME": folder.path, "PATH": "/usr/bin:/bin",
        ]
        let stderr = folder.file("stderr")
        FileManager.default.createFile(atPath: stderr, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
        }
        /// Polls (bounded: 20 s) until `condition` holds.
        let waitFor = { @Sendable (condition: @escaping @Sendable () -> Bool) async throws -> Bool in
            try await offThePool {
                for _ in 0..<200 {
                    if condition() { return true }
                    usleep(100_000)
                }
                return condition()
            }
        }
        #expect(try await waitFor { folder.read("pub/office.hosts")?.contains(" alpha.one\n") == true })
        _ = try write("{name}.two")
        #expect(try await waitFor { folder.read("pub/office.hosts")?.contains(" alpha.two\n") == true })
        try folder.write("p.yml", "sources: [this is not a config\n")
        #expect(
            try await waitFor {
                folder.read("stderr")?.contains("config not reloaded; keeping the last good one") == true
            })
        // Still publishing with the last good config: a new instance shows up under the ".two" template.
        _ = try await offThePool { try MotoSeeder(endpoint: moto).create([.init(name: "beta", prefix: prefix)]) }
        #expect(try await waitFor { folder.read("pub/office.hosts")?.contains(" beta.two\n") == true })
        process.terminate()
        try await offThePool { process.waitUntilExit() }
        #expect(process.terminationReason == .exit)
        #expect(folder.read("stderr")?.contains("not valid YAML") == true)
    }
}
