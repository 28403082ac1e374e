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
