import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Under sudo, `add --local --from FILE` and `--public-key-file FILE` read a file for the user who ran sudo: only
/// one that user may read. Before, root read any root-owned file for them, and the parse error quoted its first
/// line: `sudo hosts-client add x --local --from /etc/shadow` printed root's password hash to a user whose sudoers
/// rule gave them hosts-client alone.
@Suite(.enabled(if: geteuid() == 0, "needs root (the client reads as root for SUDO_UID)"))
struct SudoReaderTests {
    /// nobody, as the user who ran sudo.
    static let sudo = ["SUDO_UID": "65534", "SUDO_GID": "65534", "SUDO_USER": "nobody"]
    static let shadow = "root:$y$j9T$SECRETHASH0123456789abcdef:19000:0:99999:7:::\n"

    func expectRefused(
        _ run: ClientSandbox.Run, file: String, _ problem: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(run.status == 78, "exit \(run.status): \(run.stderr)", sourceLocation: sourceLocation)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(
            lines.first?.contains("refusing") == true && lines.first?.contains(file) == true
                && lines.first?.contains(problem) == true, "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(!run.stderr.contains("SECRETHASH"), "the file's content was shown", sourceLocation: sourceLocation)
    }

    @Test func aFileTheSudoUserMayNotReadIsRefusedUnquoted() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let secret = sandbox.root + "/shadow"
            try sandbox.write(Self.shadow, to: secret)
            chmod(secret, 0o640)
            let local = try sandbox.run(["add", "x", "--local", "--from", secret], environment: Self.sudo)
            expectRefused(local, file: secret, "uid 65534 (who ran sudo) may not read it (owned by uid 0, mode 0640)")
            let key = try sandbox.run(
                ["add", "o", "--url", "http://127.0.0.1:9/profiles/o", "--public-key-file", secret],
                environment: Self.sudo)
            expectRefused(key, file: secret, "uid 65534 (who ran sudo) may not read it")

            // Readable by mode, but in a directory the user may not pass through.
            let closed = sandbox.root + "/closed"
            try FileManager.default.createDirectory(atPath: closed, withIntermediateDirectories: false)
            chmod(closed, 0o700)
            try sandbox.write(Self.shadow, to: closed + "/hosts")
            chmod(closed + "/hosts", 0o644)
            let hidden = try sandbox.run(["add", "x", "--local", "--from", closed + "/hosts"], environment: Self.sudo)
            expectRefused(hidden, file: closed + "/hosts", "its directory \(closed) may not be searched by uid 65534")
            #expect(sandbox.hosts == ClientSandbox.originalHosts, "nothing written")
            #expect(!sandbox.hosts.contains("SECRETHASH"))
        }
    }

    /// What the user may read is read as before: their own file (0600), a world-readable one of root's; and root
    /// without sudo reads its own files.
    @Test func filesTheSudoUserMayReadAreReadAsBefore() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let mine = sandbox.root + "/mine.hosts"
            try sandbox.write("10.0.0.7 mine\n", to: mine)
            chmod(mine, 0o600)
            #expect(chown(mine, 65534, 65534) == 0)
            let own = try sandbox.run(["add", "mine", "--local", "--from", mine], environment: Self.sudo)
            #expect(own.ok, "\(own.stderr)")
            let shared = sandbox.root + "/shared.hosts"
            try sandbox.write("10.0.0.8 shared\n", to: shared)
            chmod(shared, 0o644)
            let world = try sandbox.run(["add", "shared", "--local", "--from", shared], environment: Self.sudo)
            #expect(world.ok, "\(world.stderr)")
            let rootOnly = sandbox.root + "/root.hosts"
            try sandbox.write("10.0.0.9 rootonly\n", to: rootOnly)
            chmod(rootOnly, 0o600)
            let asRoot = try sandbox.run(["add", "rootonly", "--local", "--from", rootOnly])
            #expect(asRoot.ok, "\(asRoot.stderr)")
            #expect(sandbox.blockLines.contains("10.0.0.7 mine") && sandbox.blockLines.contains("10.0.0.9 rootonly"))
        }
    }

    /// A POSIX ACL is what the kernel judges: one that takes reading away from the user is honoured though the
    /// mode shows the file readable by others (before, the mode alone let it through and its line was quoted), and
    /// one that gives the user reading of a root-only file lets it be read.
    @Test(.enabled(if: HostsFileKeepingTests.hasTool("setfattr"), "needs setfattr"))
    func anAccessACLIsJudgedAsTheKernelJudgesIt() async throws {
        // system.posix_acl_access, version 2, entries (tag, perm, id) little-endian: owner rw, user 65534 ---,
        // group r, mask r, other r. Then the same with user 65534 r and no group or other access.
        let deny =
            "0x02000000" + "01000600ffffffff" + "02000000feff0000" + "04000400ffffffff" + "10000400ffffffff"
            + "20000400ffffffff"
        let grant =
            "0x02000000" + "01000600ffffffff" + "02000400feff0000" + "04000000ffffffff" + "10000400ffffffff"
            + "20000000ffffffff"
        try await offThePool {
            let sandbox = try ClientSandbox()
            let denied = sandbox.root + "/denied.hosts"
            try sandbox.write(Self.shadow, to: denied)
            chmod(denied, 0o644)
            let setDeny = HostsFileKeepingTests.tool("setfattr", ["-n", "system.posix_acl_access", "-v", deny, denied])
            #expect(setDeny.status == 0)
            let refused = try sandbox.run(["add", "x", "--local", "--from", denied], environment: Self.sudo)
            expectRefused(
                refused, file: denied,
                "uid 65534 (who ran sudo) may not read it (owned by uid 0, mode 0644, with an ACL)")

            let granted = sandbox.root + "/granted.hosts"
            try sandbox.write("10.0.0.6 granted\n", to: granted)
            chmod(granted, 0o600)
            let setGrant = HostsFileKeepingTests.tool(
                "setfattr", ["-n", "system.posix_acl_access", "-v", grant, granted])
            #expect(setGrant.status == 0)
            let read = try sandbox.run(["add", "granted", "--local", "--from", granted], environment: Self.sudo)
            #expect(read.ok, "\(read.stderr)")
            #expect(sandbox.blockLines.contains("10.0.0.6 granted"))
        }
    }
}
