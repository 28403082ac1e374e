import Foundation
import Testing

@testable import HostsCore

@Suite struct AtomicFileTests {
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func writesReplacesAndKeepsMode() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/hosts"
        try AtomicFile.write(Array("one\n".utf8), to: path, mode: 0o600)
        #expect(try AtomicFile.read(path) == Array("one\n".utf8))
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        chmod(path, 0o640)
        try AtomicFile.write(Array("two\n".utf8), to: path)
        #expect(try AtomicFile.read(path) == Array("two\n".utf8))
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["hosts"], "no temporary file left")
    }

    @Test func unchangedContentIsNotRewritten() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/p.hosts"
        #expect(try AtomicFile.writeIfChanged(Array("a\n".utf8), to: path))
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        #expect(try !AtomicFile.writeIfChanged(Array("a\n".utf8), to: path))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int == inode)
        #expect(try AtomicFile.writeIfChanged(Array("b\n".utf8), to: path))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int != inode)
    }

    @Test func failureNamesThePathAndLeavesTheOldFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect {
            try AtomicFile.write(Array("x".utf8), to: dir + "/missing/dir/hosts")
        } throws: { error in
            "\(error)".contains("/missing/dir") && "\(error)".contains("No such file")
        }
        // A directory where the file should be: rename fails, nothing is left behind.
        try FileManager.default.createDirectory(atPath: dir + "/taken", withIntermediateDirectories: false)
        try "keep".write(toFile: dir + "/taken/inside", atomically: false, encoding: .utf8)
        #expect(throws: AtomicFileError.self) { try AtomicFile.write(Array("x".utf8), to: dir + "/taken") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["taken"])
    }
}

@Suite struct AtomicFileOptionsTests {
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "atomic-options-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func symlinksAreReplacedFollowedOrRefusedAsAsked() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Array("target\n".utf8), to: dir + "/target")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "target")

        #expect {
            _ = try AtomicFile.replace(dir + "/link", with: Array("x".utf8), options: .init(symlinks: .refuse))
        } throws: { error in
            "\(error)".contains("\(dir)/link") && "\(error)".contains("symbolic link, which is never followed")
        }
        #expect(try AtomicFile.read(dir + "/target") == Array("target\n".utf8))

        #expect(
            try AtomicFile.replace(dir + "/link", with: Array("new\n".utf8), options: .init(symlinks: .followToTarget))
                == .renamed)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link") == "target")
        #expect(try AtomicFile.read(dir + "/target") == Array("new\n".utf8))

        try AtomicFile.write(Array("replaced\n".utf8), to: dir + "/link")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link")) == nil, "now a file")
        #expect(try AtomicFile.read(dir + "/target") == Array("new\n".utf8))
    }

    @Test func withoutKeepMetadataTheModeIsTheOneAskedFor() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/state.json"
        try AtomicFile.write(Array("{}".utf8), to: path)
        chmod(path, 0o666)
        _ = try AtomicFile.replace(path, with: Array("{}\n".utf8), options: .init(mode: 0o600, keepMetadata: false))
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
    }

    @Test func aChangedFileIsNotReplacedAndAStaleTemporaryIsRemoved() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/hosts"
        try AtomicFile.write(Array("old\n".utf8), to: path)
        #expect(try AtomicFile.replace(path, with: Array("new\n".utf8)) { false } == .changedMeanwhile)
        #expect(try AtomicFile.read(path) == Array("old\n".utf8))
        // One left by a writer that is gone (no such pid), one by this live process.
        let stale = dir + "/.hosts.tmp-2147483646-1"
        let live = dir + "/.hosts.tmp-\(getpid())-2"
        for file in [stale, live] { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        AtomicFile.removeStaleTemporaries(of: path)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [".hosts.tmp-\(getpid())-2", "hosts"])
    }
}
