import Foundation
import TestSupport
import Testing

@Suite struct BackupRestoreTests {
    @Test func everyWriteIsBackedUpAndOnlyTheNewestAreKept() throws {
        let sandbox = try ClientSandbox()
        try sandbox.succeed(["config", "keep-backups", "3"])
        try sandbox.succeed(["add", "lab", "--local"])  // an empty segment still gets its header in the block
        #expect(sandbox.backupCount == 1)
        var versions: [[UInt8]] = [sandbox.hostsBytes]
        for index in 1...5 {
            try sandbox.write("10.0.0.\(index) host\(index)\n", to: sandbox.root + "/lab.hosts")
            try sandbox.succeed(["remove", "lab", "--no-apply"])
            try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])
            versions.append(sandbox.hostsBytes)
        }
        let list = try sandbox.succeed(["backups", "--json"])
        let backups = try JSONDecoder().decode([Backup].self, from: Data(list.stdout.utf8))
        #expect(backups.map(\.sequence) == [4, 5, 6])
        // Backup n holds the file as it was before write n (versions[k] is the file after write k + 1).
        let third = try [UInt8](Data(contentsOf: URL(fileURLWithPath: backups[0].path)))
        #expect(third == versions[2])

        // restore ID puts it back, after saving the current file as a new backup.
        let current = sandbox.hostsBytes
        let restore = try sandbox.succeed(["restore", backups[0].id])
        #expect(restore.stdout.contains("restored \(backups[0].id)"))
        #expect(sandbox.hostsBytes == versions[2])
        let after = try JSONDecoder().decode(
            [Backup].self, from: Data(try sandbox.succeed(["backups", "--json"]).stdout.utf8))
        #expect(after.map(\.sequence) == [5, 6, 7])
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: after[2].path))) == current)

        // restore without an id takes the newest: what was there before the restore.
        try sandbox.succeed(["restore"])
        #expect(sandbox.hostsBytes == current)
        #expect(sandbox.outsideBlock == ClientSandbox.originalHosts)
    }

    @Test func unknownBackupIsAClearError() throws {
        let sandbox = try ClientSandbox()
        let none = try sandbox.run(["restore"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("no backups yet"))
        let missing = try sandbox.run(["restore", "20200101T000000Z-9"])
        #expect(missing.stderr.contains("no backup '20200101T000000Z-9'"))
    }

    struct Backup: Decodable {
        var id: String
        var sequence: Int
        var path: String
    }
}
