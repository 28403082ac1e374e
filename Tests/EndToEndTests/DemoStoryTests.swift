import Foundation
import HostsCore
import TestSupport
import Testing

/// Runs `scripts/demo.sh` — what `make demo` runs — on the debug binaries and checks the whole story:
/// moto_server estate → hosts-generator → hosts-server → hosts-client on a sandbox hosts file, then an
/// estate change that must reach the hosts file.
@Suite(.serialized) struct DemoStoryTests {
    @Test(.enabled(if: MotoServer.canRun, "moto_server is not installed (required when CI=true)"))
    func demoTellsTheWholeStory() throws {
        let binDirectory = URL(fileURLWithPath: try BuiltProducts.path(of: "hosts-generator"))
            .deletingLastPathComponent().path
        for product in ["hosts-server", "hosts-client"] {
            let path = try BuiltProducts.path(of: product)
            #expect(
                URL(fileURLWithPath: path).deletingLastPathComponent().path == binDirectory, "all three from one build")
        }
        let sandbox = NSTemporaryDirectory() + "pseudodns-demo-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: sandbox) }
        var environment = ProcessInfo.processInfo.environment
        environment["BIN"] = binDirectory
        environment["DEMO_DIR"] = sandbox
        environment.removeValue(forKey: "KEEP")
        let run = try BuiltProducts.run(
            "/bin/bash", [BuiltProducts.packageRoot + "/scripts/demo.sh"], environment: environment,
            in: BuiltProducts.packageRoot)
        try #require(run.status == 0, "demo failed:\n\(run.stdout)\n\(run.stderr)")

        // The published directory: both profiles and the index, consistent with each other.
        let published = sandbox + "/published"
        let index = try ProfileIndex.decode(Data(try AtomicFile.read(published + "/index.json")))
        #expect(index.profiles.map(\.name) == ["office", "remote"])
        for record in index.profiles {
            let bytes = try AtomicFile.read("\(published)/\(record.name).hosts")
            #expect(record.sha256 == SHA256Hex.of(bytes))
            let parsed = try StrictParser.parse(bytes, source: record.name)
            #expect(
                parsed.count == record.entries,
                "\(record.name): \(parsed.count) lines, index says \(record.entries)\n\(String(decoding: bytes, as: UTF8.self))\n\(run.stdout.suffix(3000))\n\(run.stderr.suffix(3000))"
            )
        }
        let remote = try StrictParser.parse(try AtomicFile.read(published + "/remote.hosts"), source: "remote")
        let remoteNames = Set(remote.flatMap(\.hostnames).map(\.value))
        #expect(remoteNames.contains("db-replica-c1"), "\"DB Replica C1\" is sanitised into a hostname")
        #expect(remoteNames.contains("db-replica-c1.apne1c-prod"), "remote adds {name}.{prefix}")
        #expect(remote.allSatisfy { $0.address.description.hasPrefix("10.") }, "remote uses private addresses")
        #expect(!remoteNames.contains { $0.contains("old") }, "stopped instances are left out")

        // The sandbox hosts file: other lines kept byte for byte, one managed block with the new estate.
        let hosts = String(decoding: try AtomicFile.read(sandbox + "/hosts"), as: UTF8.self)
        #expect(
            hosts.hasPrefix(
                "127.0.0.1 localhost\n::1 localhost ip6-localhost\n# a line another tool wrote\n10.9.9.9 printer.local\n"
            ))
        let document = try HostsDocument(bytes: Array(hosts.utf8))
        let block = try #require(document.managedBlockBody)
        let entries = try StrictParser.parse(Array(block.utf8), source: "block")
        let names = Set(entries.flatMap(\.hostnames).map(\.value))
        #expect(names.contains("web-a9"), "the launched instance arrived")
        #expect(!names.contains("web-a2"), "the terminated instance is gone")
        #expect(names.contains("dc-gateway"), "the static data-centre include is in the office profile")
        #expect(names.contains("dev.local"), "the local segment is applied after the remote one")
        #expect(
            entries.filter { $0.hostnames.contains(Hostname("web-a1")!) }.allSatisfy {
                !$0.address.description.hasPrefix("10.")
            })

        // What the demo printed: URLs, status, and the diff of the change.
        #expect(run.stdout.contains("/profiles/office"))
        #expect(run.stdout.contains("up to date"))
        let diffLines = run.stdout.split(separator: "\n")
        #expect(diffLines.contains { $0.hasPrefix("+") && $0.hasSuffix(" web-a9") })
        #expect(diffLines.contains { $0.hasPrefix("-") && $0.hasSuffix(" web-a2") })
    }
}
