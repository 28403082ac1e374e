import Foundation
import TestSupport
import Testing

@testable import HostsCore

#if canImport(Glibc)
    import Glibc
#endif

/// ``TrustedPath`` walks by descriptors, and ``TrustedFile`` opens the file in the directory the walk judged: a
/// trusted owner who is not root (the user who ran sudo) cannot swap a directory for a link between the walk and the
/// open, and no walk leaves a descriptor open.
@Suite(.enabled(if: geteuid() == 0, "plays a local user against root"))
struct TrustedPathRaceTests {
    static let nobody: uid_t = 65534
    /// /usr/bin/python3, not the one on PATH: that may live under /root (pyenv), which nobody cannot enter.
    static let python = "/usr/bin/python3"
    static let setpriv = "/usr/bin/setpriv"

    /// The attacker's loop: swaps two names of theirs with renameat2(RENAME_EXCHANGE), atomically (a name is never
    /// missing), at most `count` times and for at most `seconds`; says "swapping" after the first swap.
    static let swapper = """
        import ctypes, os, sys, time
        libc = ctypes.CDLL(None, use_errno=True)
        a, b, count, seconds = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
        deadline = time.monotonic() + seconds
        done = 0
        while done < count and (done % 1024 or time.monotonic() < deadline):
            if libc.renameat2(-100, a, -100, b, 2) != 0:
                sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))
            done += 1
            if done == 1:
                print("swapping", flush=True)
        """

    /// root's 0755 directory under /tmp, with `home` (nobody's, as a sudo user's home is theirs) and `vault` (root's,
    /// 0700: nobody may not enter it) holding `file`, a public one in `home/dir` and a root-only one (0644: only
    /// the directory keeps nobody out) in `vault`; `home/link` is nobody's link to `vault`.
    func scene() throws -> String {
        let base = NSTemporaryDirectory() + "trusted-race-\(UUID().uuidString)"
        let manager = FileManager.default
        for (path, mode, owner) in [
            (base, 0o755, 0), (base + "/home", 0o755, Self.nobody), (base + "/home/dir", 0o755, Self.nobody),
            (base + "/vault", 0o700, 0),
        ] as [(String, mode_t, uid_t)] {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: false)
            chmod(path, mode)
            chown(path, owner, owner == 0 ? 0 : Self.nobody)
        }
        try Data("public\n".utf8).write(to: URL(fileURLWithPath: base + "/home/dir/file"))
        chown(base + "/home/dir/file", Self.nobody, Self.nobody)
        try Data("SECRET\n".utf8).write(to: URL(fileURLWithPath: base + "/vault/file"))
        chmod(base + "/home/dir/file", 0o644)
        chmod(base + "/vault/file", 0o644)
        try #require(symlink(base + "/vault", base + "/home/link") == 0)
        try #require(lchown(base + "/home/link", Self.nobody, Self.nobody) == 0)
        return base
    }

    /// As `add --local --from` reads under sudo: root and the sudo user trusted, read for that user.
    let forNobody = TrustedFile.Policy(
        label: "segment file", maxBytes: 1 << 20, owners: [0, nobody], followLinks: true,
        reader: TrustedFile.Reader(uid: nobody, gid: 65534, groups: []))

    /// The attack that read root's files by path (3 in 300 runs of the client): while nobody swaps `home/dir`
    /// with their link to root's 0700 `vault`, root reads `home/dir/file` for them. Each read must return the
    /// public file (the walk judged the directory it opened the file in) or refuse (the walk met the link and
    /// judged `vault`): never the secret. Bounded at 10 000 reads and 20 s, and the swapper by its own count and
    /// time, then killed by its PID.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func aDirectorySwappedForALinkNeverLeadsRootPastTheWalk() async throws {
        let base = try scene()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let policy = forNobody
        let (tries, secrets, publics, refusals, others) = try await offThePool {
            let swapper = Process()
            swapper.executableURL = URL(fileURLWithPath: Self.setpriv)
            swapper.arguments = [
                "--reuid=65534", "--regid=65534", "--clear-groups", Self.python, "-c", Self.swapper,
                base + "/home/dir", base + "/home/link", "50000000", "60",
            ]
            let output = Pipe()
            swapper.standardOutput = output
            swapper.standardInput = FileHandle.nullDevice
            try swapper.run()
            defer {
                kill(swapper.processIdentifier, SIGKILL)
                swapper.waitUntilExit()
            }
            // The first line, or EOF if the swapper failed: it exits by itself within its 60 s either way.
            let said = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            guard said.hasPrefix("swapping") else { throw Failure("the swapper did not start: '\(said)'") }
            var (tries, secrets, publics, refusals) = (0, 0, 0, 0)
            var others: [String] = []
            let deadline = Date().addingTimeInterval(20)
            while tries < 10_000, Date() < deadline {
                tries += 1
                do throws(TrustedFileError) {
                    let bytes = try TrustedFile.read(base + "/home/dir/file", policy)
                    if bytes == Array("SECRET\n".utf8) { secrets += 1 } else { publics += 1 }
                } catch {
                    if error.reason.contains("may not be searched by uid 65534") {
                        refusals += 1
                    } else {
                        others.append(error.description)
                    }
                }
            }
            return (tries, secrets, publics, refusals, others)
        }
        print(
            "TrustedPath race: \(tries) reads while nobody swapped a directory and a link: \(secrets) returned root's "
                + "secret, \(publics) the public file, \(refusals) refused, \(others.count) other outcomes")
        #expect(secrets == 0, "root read a file through a link the walk never judged")
        #expect(refusals > 0, "the swap never showed: the attack did not run")
        #expect(others.count == 0, "other outcomes, the first: \(others.prefix(3))")
    }

    /// Every descriptor a walk opens is closed on every way out: after 300 rounds of walks that succeed, fail on a
    /// missing or non-directory component, stop at a refused link, loop through links, go up with "..", judge
    /// directories for a reader (their ACL), and reads through the walk, the process holds no more descriptors than
    /// before. Other tests open files meanwhile (the count is the whole process's), hence a margin; one leaked
    /// descriptor a round would be 300 more.
    @Test func noWalkLeavesADescriptorOpen() async throws {
        let base = try scene()
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(symlink("loop", base + "/loop") == 0)
        #expect(symlink(base + "/home/dir/file", base + "/home/dir/filelink") == 0)
        let policy = forNobody
        let (before, after) = try await offThePool {
            func count() throws -> Int { try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count }
            let before = try count()
            for _ in 0..<300 {
                _ = TrustedPath.walk(base + "/home/dir/file", owners: [0])
                _ = TrustedPath.walk(base + "/home/dir/file", owners: [0, Self.nobody], reader: policy.reader)
                _ = TrustedPath.walk(base + "/home/missing/file", owners: [0, Self.nobody])
                _ = TrustedPath.walk(base + "/home/dir/file/deeper", owners: [0, Self.nobody])
                _ = TrustedPath.walk(base + "/home/link/file", owners: [0])
                _ = TrustedPath.walk(base + "/home/link/file", owners: [0, Self.nobody], reader: policy.reader)
                _ = TrustedPath.walk(base + "/loop/file", owners: [0])
                _ = TrustedPath.walk(base + "/home/dir/../../vault/file", owners: [0])
                _ = TrustedPath.walk(base + "/home/dir/filelink", owners: [0, Self.nobody], followLast: false)
                _ = try? TrustedFile.read(base + "/home/dir/file", policy)
                _ = try? TrustedFile.read(base + "/home/dir/filelink", policy)
                _ = try? TrustedFile.read(base + "/home/link/file", policy)
                _ = try? TrustedFile.read(base + "/home", policy)
            }
            return (before, try count())
        }
        #expect(after - before < 100, "\(before) descriptors before 300 rounds of walks, \(after) after")
    }

    /// ".." goes back to the directory judged before (the resolved path's parent, as the kernel resolves it), also
    /// after a link.
    @Test func dotDotLeadsBackToTheJudgedParent() throws {
        let base = try scene()
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(try TrustedFile.read(base + "/home/dir/../dir/file", forNobody) == Array("public\n".utf8))
        #expect(symlink(base + "/home/dir", base + "/rootlink") == 0)
        var asRoot = forNobody
        asRoot.reader = nil
        #expect(try TrustedFile.read(base + "/rootlink/../../vault/file", asRoot) == Array("SECRET\n".utf8))
        let walk = TrustedPath.walk(base + "/rootlink/../..", owners: [0, Self.nobody])
        #expect(walk.problems.isEmpty && walk.resolved == base && walk.place?.name == ".")
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
