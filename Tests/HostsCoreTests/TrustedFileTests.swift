import Foundation
import Testing

@testable import HostsCore

#if canImport(Glibc)
    import Glibc
#endif

/// HostsCore's one reader of files root is told to read: each way another user could abuse such a file ends in a
/// refusal naming the file and the problem, without blocking and without reading more than the cap.
@Suite(.enabled(if: geteuid() == 0, "judges root-owned paths as root"))
struct TrustedFileTests {
    static let nobody: uid_t = 65534

    /// A root-owned 0755 directory under /tmp (sticky, root's): a trusted place to start from.
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "trusted-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        return path
    }

    func write(_ text: String, to path: String, mode: mode_t = 0o600) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
    }

    let policy = TrustedFile.Policy(label: "token file", maxBytes: 64 << 10, owners: [0], followLinks: true)

    func refusal(_ path: String, _ policy: TrustedFile.Policy) -> String? {
        do {
            _ = try TrustedFile.read(path, policy)
            return nil
        } catch {
            #expect(error.refused, "\(error)")
            #expect(error.description.hasPrefix("refusing token file \(path): "), "\(error)")
            #expect(!error.description.contains("\n"))
            return error.description
        }
    }

    @Test func readsAPlainRootFileAndARootLinkToOne() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("s3cret\n", to: dir + "/token")
        #expect(try TrustedFile.read(dir + "/token", policy) == Array("s3cret\n".utf8))
        #expect(symlink(dir + "/token", dir + "/link") == 0)
        #expect(try TrustedFile.read(dir + "/link", policy) == Array("s3cret\n".utf8), "root's link, root's dir")
        var strict = policy
        strict.followLinks = false
        #expect(refusal(dir + "/link", strict)?.contains("symbolic link") == true)
        #expect(try TrustedFile.readIfPresent(dir + "/missing", policy) == nil)
        #expect(throws: TrustedFileError.self) { try TrustedFile.read(dir + "/missing", policy) }
    }

    /// With no owner trusted more than another (hosts-server's token file), links are resolved wherever they lead
    /// and the file they reach is judged like any other; the stat returned is that file's.
    @Test func anyOwnerWithLinksFollowsThemToTheFileAndJudgesIt() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/..v1", withIntermediateDirectories: false)
        try write("s3cret\n", to: dir + "/..v1/token", mode: 0o644)
        #expect(symlink("..v1", dir + "/..data") == 0)
        #expect(symlink("..data/token", dir + "/token") == 0)
        let anyOwner = TrustedFile.Policy(label: "token file", maxBytes: 64 << 10, owners: nil, followLinks: true)
        let contents = try #require(try TrustedFile.contentsIfPresent(dir + "/token", anyOwner))
        #expect(contents.bytes == Array("s3cret\n".utf8))
        var target = stat()
        #expect(stat(dir + "/..v1/token", &target) == 0)
        #expect(contents.info.st_ino == target.st_ino)

        var strict = anyOwner
        strict.followLinks = false
        #expect(refusal(dir + "/token", strict)?.contains("symbolic link") == true)
        #expect(symlink("missing", dir + "/dangling") == 0)
        #expect(try TrustedFile.readIfPresent(dir + "/dangling", anyOwner) == nil)
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect(symlink("fifo", dir + "/to-fifo") == 0)
        #expect(refusal(dir + "/to-fifo", anyOwner)?.contains("a FIFO (named pipe), not a regular file") == true)
    }

    /// Read for the user who ran sudo: by owner, group and mode as the kernel judges them (a class that lacks the
    /// bit is not rescued by a wider one), and every directory on the way searchable by that user.
    @Test func aReaderMayReadOnlyWhatTheKernelWouldLetThem() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var forNobody = policy
        forNobody.owners = [0, Self.nobody]
        forNobody.label = "token file"
        forNobody.reader = TrustedFile.Reader(uid: Self.nobody, gid: 65534, groups: [])
        try write("shared\n", to: dir + "/world", mode: 0o644)
        #expect(try TrustedFile.read(dir + "/world", forNobody) == Array("shared\n".utf8))
        try write("root's\n", to: dir + "/root", mode: 0o640)
        #expect(
            refusal(dir + "/root", forNobody)?.contains(
                "uid 65534 (who ran sudo) may not read it (owned by uid 0, mode 0640)") == true)
        try write("own\n", to: dir + "/own", mode: 0o044)
        #expect(chown(dir + "/own", Self.nobody, 0) == 0)
        #expect(refusal(dir + "/own", forNobody) != nil, "the owner's class has no read bit: others' does not count")
        var member = forNobody
        member.reader = TrustedFile.Reader(uid: Self.nobody, gid: 65534, groups: [0])
        #expect(try TrustedFile.read(dir + "/root", member) == Array("root's\n".utf8), "group 0 may read 0640")
        try FileManager.default.createDirectory(atPath: dir + "/closed", withIntermediateDirectories: false)
        chmod(dir + "/closed", 0o700)
        try write("inside\n", to: dir + "/closed/file", mode: 0o644)
        #expect(
            refusal(dir + "/closed/file", forNobody)?.contains(
                "its directory \(dir)/closed may not be searched by uid 65534") == true)
    }

    /// Judged before it is opened: a terminal opened by root's service would become its controlling terminal
    /// (another user could then stop it with ^C), and opening some devices acts on them. inotify sees every open
    /// of the node.
    @Test func aFIFOIsRefusedWithoutBeingOpened() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let watcher = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        try #require(watcher >= 0)
        defer { close(watcher) }
        try #require(inotify_add_watch(watcher, fifo, UInt32(IN_OPEN)) >= 0)
        #expect(refusal(fifo, policy)?.contains("FIFO") == true)
        var event = [UInt8](repeating: 0, count: 4096)
        let count = read(watcher, &event, event.count)
        #expect(count < 0 && errno == EAGAIN, "the FIFO was opened (\(count) bytes of inotify events)")
    }

    /// A directory on the way that does not exist means the file does not: the path is never opened as written,
    /// where a link made after the walk (in a sticky directory, by anyone) would lead to a file of root's.
    @Test func aMissingDirectoryIsAMissingFileNotAnOpenOfThePath() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try TrustedFile.readIfPresent(dir + "/gone/token", policy) == nil)
        #expect(try TrustedFile.readIfPresent(dir + "/gone/deeper/token", policy) == nil)
    }

    /// A bearer token others may read is anyone's token: refused, with the chmod that fixes it.
    @Test func aSecretOthersMayReadIsRefused() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var secret = policy
        secret.secret = true
        for mode: mode_t in [0o644, 0o640, 0o604] {
            try write("s3cret\n", to: dir + "/token", mode: mode)
            #expect(refusal(dir + "/token", secret)?.contains("chmod go-rwx") == true, "mode \(String(mode, radix: 8))")
        }
        try write("s3cret\n", to: dir + "/token", mode: 0o600)
        #expect(try TrustedFile.read(dir + "/token", secret) == Array("s3cret\n".utf8))
        try write("s3cret\n", to: dir + "/token", mode: 0o644)
        #expect(try TrustedFile.read(dir + "/token", policy) == Array("s3cret\n".utf8), "a CA bundle may be public")
    }

    @Test func fifoDeviceAndDirectoryAreRefusedWithoutBlocking() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect(refusal(dir + "/fifo", policy)?.contains("a FIFO (named pipe), not a regular file") == true)
        #expect(symlink("/dev/zero", dir + "/zero") == 0)
        #expect(refusal(dir + "/zero", policy)?.contains("a character device, not a regular file") == true)
        #expect(refusal(dir, policy)?.contains("a directory, not a regular file") == true)
    }

    @Test func sizeCapIsNamedAndAGrowingFileIsNotReadWhole() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(String(repeating: "x", count: (64 << 10) + 1), to: dir + "/big")
        #expect(refusal(dir + "/big", policy)?.contains("larger than 64 KiB, the most a token file may hold") == true)
        try write(String(repeating: "x", count: 64 << 10), to: dir + "/full")
        #expect(try TrustedFile.read(dir + "/full", policy).count == 64 << 10)
        // The bounded read itself: a descriptor with more behind it than the cap yields cap + 1 bytes.
        let fd = open("/dev/zero", O_RDONLY)
        defer { close(fd) }
        #expect(try AtomicFile.readAll(fd: fd, path: "/dev/zero", limit: 1000).count == 1001)
    }

    @Test func anotherUsersFileDirectoryOrLinkIsRefused() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("t\n", to: dir + "/theirs")
        chown(dir + "/theirs", Self.nobody, Self.nobody)
        #expect(refusal(dir + "/theirs", policy)?.contains("it is owned by uid 65534, not root") == true)
        try write("t\n", to: dir + "/loose", mode: 0o620)
        #expect(refusal(dir + "/loose", policy)?.contains("writable by its group (mode 0620)") == true)

        let open = dir + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o777)
        try write("t\n", to: open + "/token")
        #expect(refusal(open + "/token", policy)?.contains("its directory \(open) is writable by others") == true)

        let home = dir + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        chown(home, Self.nobody, Self.nobody)
        try write("t\n", to: home + "/token")
        #expect(refusal(home + "/token", policy)?.contains("its directory \(home) is owned by uid 65534") == true)

        #expect(symlink(dir + "/loose", dir + "/theirlink") == 0)
        #expect(lchown(dir + "/theirlink", Self.nobody, Self.nobody) == 0)
        #expect(
            refusal(dir + "/theirlink", policy)?.contains("the symbolic link \(dir)/theirlink is owned by uid 65534")
                == true)

        // A sticky directory (/tmp) is passed through: each user can only replace their own entries there.
        let sticky = dir + "/sticky"
        try FileManager.default.createDirectory(atPath: sticky, withIntermediateDirectories: true)
        chmod(sticky, 0o1777)
        try write("ok\n", to: sticky + "/token")
        #expect(try TrustedFile.read(sticky + "/token", policy) == Array("ok\n".utf8))
    }

    /// The walk starts at "/": a relative path is made absolute against the working directory first.
    @Test func relativePathsAreMadeAbsolute() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(TrustedFile.absolute("token") == cwd + "/token")
        #expect(TrustedFile.absolute("/etc/token") == "/etc/token")
    }
}
