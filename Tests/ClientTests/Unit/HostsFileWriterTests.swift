import Foundation
import Testing

@testable import Client

@Suite struct HostsFileWriterTests {
    func makeWriter() throws -> (HostsFileWriter, ClientSandbox) {
        let sandbox = try ClientSandbox(hosts: "127.0.0.1 localhost\n")
        let writer = HostsFileWriter(
            path: sandbox.hostsFile, backups: BackupStore(directory: sandbox.stateDirectory + "/backups", keep: 5))
        return (writer, sandbox)
    }

    /// Someone edits the file after we read it: we must start over from their version, not overwrite it.
    @Test func aConcurrentEditMakesItStartOver() throws {
        let (writer, sandbox) = try makeWriter()
        var seen: [String] = []
        let outcome = try writer.update { current in
            let text = String(decoding: current, as: UTF8.self)
            seen.append(text)
            if seen.count == 1 {
                // Another tool writes between our read and our rename.
                try sandbox.write(text + "192.168.1.1 printer\n", to: sandbox.hostsFile)
            }
            return Array((text + "10.0.0.1 ours\n").utf8)
        }
        #expect(seen.count == 2)
        #expect(sandbox.hosts == "127.0.0.1 localhost\n192.168.1.1 printer\n10.0.0.1 ours\n")
        guard case .written(let backupID, let inPlace) = outcome else {
            Issue.record("expected a write")
            return
        }
        #expect(!inPlace)
        #expect(backupID != nil)
    }

    /// Over the cap, the file is not read, and content over it is not written: the client never writes what it
    /// would refuse to read back.
    @Test func theCapHoldsForReadingAndWriting() throws {
        var (writer, sandbox) = try makeWriter()
        writer.maxBytes = 64
        #expect(throws: ClientError.self) {
            _ = try writer.update { current in current + Array(repeating: UInt8(ascii: "#"), count: 64) + [0x0A] }
        }
        #expect(sandbox.hosts == "127.0.0.1 localhost\n", "nothing written")
        #expect(sandbox.backupCount == 0)
        try sandbox.write(String(repeating: "#", count: 64) + "\n", to: sandbox.hostsFile)
        do {
            _ = try writer.readCurrent()
            Issue.record("a 65-byte file was read under a 64-byte cap")
        } catch let error as ClientError {
            #expect(error.exitCode == 78)
            #expect(
                error.description.hasPrefix(
                    "refusing hosts file \(sandbox.hostsFile): it is 65 bytes, larger than 64 bytes"),
                "\(error)")
        }
    }

    @Test func aFileThatKeepsChangingIsLeftAlone() throws {
        let (writer, sandbox) = try makeWriter()
        var round = 0
        #expect(throws: ClientError.self) {
            try writer.update { current in
                round += 1
                try sandbox.write("127.0.0.1 localhost\n# edit \(round)\n", to: sandbox.hostsFile)
                return Array("10.0.0.1 ours\n".utf8)
            }
        }
        #expect(sandbox.hosts == "127.0.0.1 localhost\n# edit \(round)\n")
    }

    @Test func unchangedContentIsNotWritten() throws {
        let (writer, sandbox) = try makeWriter()
        let outcome = try writer.update { $0 }
        #expect(outcome == .unchanged)
        #expect(sandbox.backupCount == 0)
    }

    @Test func aMissingHostsFileIsCreatedWithoutABackup() throws {
        let (writer, sandbox) = try makeWriter()
        try FileManager.default.removeItem(atPath: sandbox.hostsFile)
        let outcome = try writer.update { _ in Array("10.0.0.1 ours\n".utf8) }
        #expect(outcome == .written(backupID: nil, inPlace: false))
        #expect(sandbox.hosts == "10.0.0.1 ours\n")
    }

    @Test func aDirectoryIsNotAHostsFile() throws {
        let (_, sandbox) = try makeWriter()
        let writer = HostsFileWriter(
            path: sandbox.root + "/etc", backups: BackupStore(directory: sandbox.stateDirectory, keep: 5))
        #expect(throws: ClientError.self) { try writer.update { _ in [] } }
    }
}
