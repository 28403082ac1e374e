import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The hosts file as the system keeps it: a symlink stays a symlink, extended attributes and ACLs stay, the
/// file's end and line endings stay byte-exact, and what root cannot fix (read-only, immutable, UTF-16) is
/// said so instead of "run: sudo".
@Suite struct HostsFileKeepingTests {
    func addLab(_ sandbox: ClientSandbox, _ extra: [String] = []) throws -> ClientSandbox.Run {
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        return try sandbox.run(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"] + extra)
    }

    @Test func aSymlinkedHostsFileIsWrittenAtItsTargetAndTheLinkKept() throws {
        let sandbox = try ClientSandbox()
        let target = sandbox.root + "/store/hosts"
        try FileManager.default.createDirectory(atPath: sandbox.root + "/store", withIntermediateDirectories: true)
        try sandbox.write(ClientSandbox.originalHosts, to: target)
        try FileManager.default.removeItem(atPath: sandbox.hostsFile)
        try FileManager.default.createSymbolicLink(atPath: sandbox.hostsFile, withDestinationPath: "../store/hosts")

        let run = try addLab(sandbox)
        #expect(run.ok, "\(run.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: sandbox.hostsFile) == "../store/hosts")
        let written = try String(contentsOfFile: target, encoding: .utf8)
        #expect(written.hasPrefix(ClientSandbox.originalHosts))
        #expect(written.contains("10.0.0.3 gamma\r\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.root + "/store") == ["hosts"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.root + "/etc") == ["hosts"])
        // And again (a replace, not a first write), then undone: the target holds the original bytes.
        try sandbox.succeed(["remove", "lab"])
        #expect(try String(contentsOfFile: target, encoding: .utf8) == ClientSandbox.originalHosts)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: sandbox.hostsFile) == "../store/hosts")
    }

    /// An ACL (system.posix_acl_access, in the kernel's binary form) and a user.* and a security.* attribute
    /// (as an SELinux label is kept) all survive the rename.
    @Test(.enabled(if: geteuid() == 0 && HostsFileKeepingTests.hasTool("setfattr"), "needs root and setfattr"))
    func extendedAttributesAndACLsAreKept() throws {
        let sandbox = try ClientSandbox()
        // ACL: owner rw, user 1234 r, group r, mask r, other r.
        var acl: [UInt8] = [2, 0, 0, 0]
        for (tag, perm, id) in [
            (1, 6, UInt32.max), (2, 4, 1234), (4, 4, UInt32.max), (0x10, 4, UInt32.max),
            (0x20, 4, UInt32.max),
        ] as [(UInt16, UInt16, UInt32)] {
            acl +=
                withUnsafeBytes(of: tag.littleEndian, Array.init) + withUnsafeBytes(of: perm.littleEndian, Array.init)
            acl += withUnsafeBytes(of: id.littleEndian, Array.init)
        }
        let attributes = [
            ("user.pseudodns-test", "0sa2VwdA=="),
            ("security.pseudodns-test", "0sbGFiZWw="),
            ("system.posix_acl_access", "0s" + Data(acl).base64EncodedString()),
        ]
        for (name, value) in attributes {
            #expect(Self.tool("setfattr", ["-n", name, "-v", value, sandbox.hostsFile]).status == 0, "set \(name)")
        }
        let before = Self.tool("getfattr", ["-d", "-m", "-", "-e", "base64", sandbox.hostsFile]).output
        for (name, _) in attributes { #expect(before.contains(name), "\(before)") }

        let run = try addLab(sandbox)
        #expect(run.ok, "\(run.stderr)")
        #expect(sandbox.blockLines.contains("10.0.0.3 gamma"))
        let after = Self.tool("getfattr", ["-d", "-m", "-", "-e", "base64", sandbox.hostsFile]).output
        #expect(after == before)
    }

    @Test(.enabled(if: HostsFileKeepingTests.canMakeImmutable, "needs root and chattr +i on this file system"))
    func anImmutableFileGetsItsOwnMessage() throws {
        let sandbox = try ClientSandbox()
        let before = sandbox.hostsBytes
        #expect(Self.tool("chattr", ["+i", sandbox.hostsFile]).status == 0)
        defer { _ = Self.tool("chattr", ["-i", sandbox.hostsFile]) }
        let run = try addLab(sandbox)
        #expect(!run.ok)
        #expect(
            run.stderr.contains(
                "cannot write \(sandbox.hostsFile): operation not permitted: the file is immutable (chattr +i); "
                    + "remove the flag first: chattr -i \(sandbox.hostsFile)"), "\(run.stderr)")
        #expect(!run.stderr.contains("sudo"))
        #expect(sandbox.hostsBytes == before)
        #expect(sandbox.backupCount == 0)
    }

    /// The file's directory is mounted read-only (in a private mount namespace), and the hosts file is a link into it.
    @Test(.enabled(if: WriteSafetyTests.canBindMount, "needs root and unshare -m"))
    func aReadOnlyFileSystemGetsItsOwnMessageNamingTheLinkTarget() throws {
        let sandbox = try ClientSandbox()
        let store = sandbox.root + "/store"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try sandbox.write(ClientSandbox.originalHosts, to: store + "/hosts")
        try FileManager.default.removeItem(atPath: sandbox.hostsFile)
        try FileManager.default.createSymbolicLink(atPath: sandbox.hostsFile, withDestinationPath: store + "/hosts")
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        let run = try sandbox.run(
            ["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"],
            prefix: [
                "/usr/bin/unshare", "-m", "/bin/sh", "-c",
                "mount --bind \"$1\" \"$1\" && mount -o remount,ro,bind \"$1\" && shift && exec \"$@\"", "sh", store,
            ])
        #expect(run.status != 0)
        #expect(
            run.stderr.contains(
                "cannot write \(store)/hosts: read-only file system: the file system is mounted read-only; "
                    + "remount it read-write"), "\(run.stderr)")
        #expect(!run.stderr.contains("sudo"))
        #expect(try String(contentsOfFile: store + "/hosts", encoding: .utf8) == ClientSandbox.originalHosts)
    }

    /// No final newline, CR-only lines (with and without a final CR), CRLF without a final line end: the block
    /// is added and removed again and the file is back byte for byte.
    @Test(arguments: [
        "127.0.0.1 localhost\n::1 localhost",
        "127.0.0.1 localhost\r::1 localhost\r",
        "127.0.0.1 localhost\r::1 localhost",
        "127.0.0.1 localhost\r\n::1 localhost",
    ])
    func theFilesEndAndLineEndingsStayByteExact(original: String) throws {
        let sandbox = try ClientSandbox(hosts: original)
        let run = try addLab(sandbox)
        #expect(run.ok, "\(run.stderr)")
        let written = sandbox.hostsBytes
        #expect(written.starts(with: Array(original.utf8)), "nothing outside the block changed")
        #expect(String(decoding: written, as: UTF8.self).contains("10.0.0.3 gamma"))
        // Whether the file ended in a line break is kept too.
        let endsWithBreak = original.hasSuffix("\r") || original.hasSuffix("\n")
        #expect((written.last == 0x0A || written.last == 0x0D) == endsWithBreak)
        try sandbox.succeed(["remove", "lab"])
        #expect(sandbox.hostsBytes == Array(original.utf8))
    }

    @Test func aUTF16HostsFileIsRefusedNamingTheEncoding() throws {
        let text = "127.0.0.1 localhost\r\n"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let sandbox = try ClientSandbox()
        try Data(bytes).write(to: URL(fileURLWithPath: sandbox.hostsFile))
        let run = try addLab(sandbox)
        #expect(!run.ok)
        #expect(run.stderr.contains("the file is UTF-16LE (byte order mark FF FE)"), "\(run.stderr)")
        #expect(run.stderr.contains("iconv -f UTF-16LE -t UTF-8"), "\(run.stderr)")
        #expect(sandbox.hostsBytes == bytes, "never appended to")
        try sandbox.succeed(["add", "lab2", "--local", "--no-apply"])
        let status = try sandbox.run(["status"])
        #expect(!status.stdout.contains("up to date"))
        #expect(status.stderr.contains("UTF-16LE"), "\(status.stderr)")
    }

    static let canMakeImmutable: Bool = {
        guard geteuid() == 0, hasTool("chattr") else { return false }
        let path = NSTemporaryDirectory() + "/immutable-probe-\(getpid())"
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        defer {
            _ = tool("chattr", ["-i", path])
            try? FileManager.default.removeItem(atPath: path)
        }
        guard tool("chattr", ["+i", path]).status == 0 else { return false }
        let fd = open(path, O_WRONLY)
        if fd >= 0 { close(fd) }
        return fd < 0
    }()

    static func hasTool(_ name: String) -> Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/\(name)")
    }

    static func tool(_ name: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(name)")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return (-1, "") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
