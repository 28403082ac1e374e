import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Mode and owner kept, the EBUSY fallback on a bind-mounted file, and a clear refusal without write rights.
@Suite struct WriteSafetyTests {
    @Test func modeAndOwnerAreKept() throws {
        let sandbox = try ClientSandbox()
        chmod(sandbox.hostsFile, 0o640)
        chown(sandbox.hostsFile, 1234, 5678)
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])
        #expect(sandbox.blockLines.contains("10.0.0.3 gamma"))
        var info = stat()
        #expect(stat(sandbox.hostsFile, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        #expect(info.st_uid == 1234)
        #expect(info.st_gid == 5678)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.root + "/etc")
        #expect(leftovers == ["hosts"], "no temporary files left: \(leftovers)")
    }

    /// As in a container, /etc/hosts is a bind mount: rename onto it fails with EBUSY; the client rewrites it in
    /// place (after the backup) and the mount keeps showing the new content.
    @Test(.enabled(if: WriteSafetyTests.canBindMount, "needs root and unshare -m (mount namespaces)"))
    func bindMountedHostsFileIsRewrittenInPlace() throws {
        let sandbox = try ClientSandbox()
        let source = sandbox.root + "/real-hosts"
        try sandbox.write(ClientSandbox.originalHosts, to: source)
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts", "--no-apply"])
        let run = try sandbox.run(
            ["apply"],
            prefix: [
                "/usr/bin/unshare", "-m", "/bin/sh", "-c", "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"",
                "sh", source, sandbox.hostsFile,
            ])
        #expect(run.ok, "\(run.stderr)")
        #expect(run.stdout.contains("rewritten in place"), "\(run.stdout)")
        let written = try String(contentsOfFile: source, encoding: .utf8)
        #expect(written.hasPrefix(ClientSandbox.originalHosts))
        #expect(written.contains("10.0.0.3 gamma\r\n# END PSEUDODNS\r\n"))
        #expect(sandbox.backupCount == 1)
    }

    /// Root ignores file permissions, so the binary runs as nobody (setpriv) against a root-owned hosts file.
    @Test(.enabled(if: WriteSafetyTests.canDropPrivileges, "needs root and setpriv"))
    func withoutWriteRightsItSaysWhatToRunAndWritesNothing() throws {
        let sandbox = try ClientSandbox()
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        chmod(sandbox.root + "/lab.hosts", 0o644)
        // The state directory is the user's; the hosts file and its directory stay root's.
        try FileManager.default.createDirectory(atPath: sandbox.stateDirectory, withIntermediateDirectories: true)
        chown(sandbox.stateDirectory, 65534, 65534)
        let before = sandbox.hostsBytes
        let run = try sandbox.run(
            ["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"],
            prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
            binary: try sandbox.copyOfBinary())
        #expect(run.status == 77, "\(run.stderr)")
        #expect(
            run.stderr.contains("cannot write \(sandbox.hostsFile): permission denied — run: sudo hosts-client add lab")
        )
        #expect(sandbox.hostsBytes == before)
        #expect(sandbox.file("config.json") == nil, "nothing partial: the segment was not added either")
        #expect(sandbox.backupCount == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.root + "/etc")
        #expect(leftovers == ["hosts"])
    }

    static let canBindMount: Bool = geteuid() == 0 && shell(["/usr/bin/unshare", "-m", "/bin/true"]) == 0
    static let canDropPrivileges: Bool =
        geteuid() == 0
        && shell(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/true"]) == 0

    static func shell(_ arguments: [String]) -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: arguments[0]) else { return -1 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
