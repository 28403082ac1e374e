import Foundation
import HostsCore
import Testing

@testable import Client

@Suite struct StateTests {
    func config(_ names: String...) -> ClientConfig {
        ClientConfig(segments: names.map { SegmentConfig(name: $0, kind: .local, enabled: true) })
    }

    @Test func moveReordersAndRejectsUnknownNames() throws {
        var config = config("a", "b", "c")
        try config.move("c", to: .first)
        #expect(config.segments.map(\.name) == ["c", "a", "b"])
        try config.move("c", to: .before("b"))
        #expect(config.segments.map(\.name) == ["a", "c", "b"])
        try config.move("a", to: .last)
        #expect(config.segments.map(\.name) == ["c", "b", "a"])
        #expect(throws: ClientError.self) { try config.move("a", to: .before("zz")) }
        #expect(throws: ClientError.self) { try config.move("a", to: .before("a")) }
        #expect(config.segments.map(\.name) == ["c", "b", "a"], "a failed move changes nothing")
    }

    @Test func addRejectsDuplicatesAndBadNames() throws {
        var config = config("a")
        #expect(throws: ClientError.self) { try config.add(SegmentConfig(name: "a", kind: .local, enabled: true)) }
        #expect(throws: ClientError.self) {
            try config.add(SegmentConfig(name: "../etc", kind: .local, enabled: true))
        }
    }

    @Test func configFileRoundTripsAndOlderFilesGetDefaults() throws {
        let decoded = try StateStore.decoder.decode(
            ClientConfig.self,
            from: Data(#"{"segments":[{"name":"x","kind":"remote","url":"http://h/x","enabled":true}]}"#.utf8))
        #expect(decoded.settings == Settings())
        #expect(decoded.segments[0].every == nil)
        var changed = decoded
        changed.settings.afterApply = "true"
        changed.segments[0].every = Interval(seconds: 60)
        let again = try StateStore.decoder.decode(ClientConfig.self, from: StateStore.encoder.encode(changed))
        #expect(again == changed)
        #expect(String(decoding: try StateStore.encoder.encode(changed), as: UTF8.self).contains(#""every" : "1m""#))
    }

    @Test func globalOptionsMayComeBeforeTheSubcommand() {
        #expect(
            GlobalArguments.reorder(["--json", "--state-dir", "/s", "status", "-v"])
                == ["status", "--json", "--state-dir", "/s", "-v"])
        #expect(GlobalArguments.reorder(["--hosts-file=/h", "list"]) == ["list", "--hosts-file=/h"])
        #expect(GlobalArguments.reorder(["list", "--json"]) == ["list", "--json"])
    }

    @Test func pathsComeFromFlagsThenEnvironmentThenDefaults() {
        let environment = ["PSEUDODNS_STATE_DIR": "/env/state", "PSEUDODNS_HOSTS_FILE": "/env/hosts"]
        let fromEnvironment = StatePaths.resolve(stateDirectory: nil, hostsFile: nil, environment: environment)
        #expect(fromEnvironment.stateDirectory == "/env/state")
        #expect(fromEnvironment.hostsFile == "/env/hosts")
        let fromFlags = StatePaths.resolve(stateDirectory: "/f", hostsFile: "/h", environment: environment)
        #expect(fromFlags.stateDirectory == "/f" && fromFlags.hostsFile == "/h")
        let defaults = StatePaths.resolve(stateDirectory: nil, hostsFile: nil, environment: [:])
        #expect(defaults.stateDirectory == "/var/lib/pseudodns" && defaults.hostsFile == "/etc/hosts")
        // A bare relative name (no directory part) once crashed Foundation's path handling in the writer.
        let relative = StatePaths.resolve(stateDirectory: "s", hostsFile: "h", environment: [:])
        let cwd = FileManager.default.currentDirectoryPath
        #expect(relative.stateDirectory == cwd + "/s" && relative.hostsFile == cwd + "/h")
    }

    @Test func backupStoreKeepsTheNewestAndFindsById() throws {
        let sandbox = try ClientSandbox()
        let store = BackupStore(directory: sandbox.stateDirectory + "/backups", keep: 2)
        var ids: [String] = []
        for index in 1...4 { ids.append(try store.save(Array("v\(index)\n".utf8))) }
        let kept = try store.list()
        #expect(kept.map(\.id) == Array(ids.suffix(2)))
        #expect(try store.find(nil).id == ids[3])
        #expect(try store.find("3").id == ids[2])
        #expect(throws: ClientError.self) { try store.find(ids[0]) }
        #expect(
            BackupStore.parseStamp(BackupStore.stamp(Date(timeIntervalSince1970: 1_800_000_000)))
                == Date(timeIntervalSince1970: 1_800_000_000))
    }
}
