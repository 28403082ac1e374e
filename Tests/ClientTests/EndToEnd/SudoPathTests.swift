import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Under sudo the client manages /etc/hosts and /var/lib/pseudodns only. Before, `--hosts-file` and `--state-dir`
/// were honoured for any path: `sudo hosts-client add mine --local --from seg --hosts-file /root/secret` wrote a
/// PseudoDNS block into a root-only file and saved its content as a backup, and `restore --onto-other-file` then
/// copied that backup into a world-readable file (or, at the defaults, any root-readable file into /etc/hosts).
@Suite(.enabled(if: ResolverNamespace.available, "needs root and unshare (the client runs as root for SUDO_UID)"))
struct SudoPathTests {
    static let sudo = SudoReaderTests.sudo
    static let secret = SudoReaderTests.shadow

    func expectRefused(
        _ run: ClientSandbox.Run, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(run.status == 78, "exit \(run.status): \(run.stderr)", sourceLocation: sourceLocation)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(
            lines.first?.contains("refusing \(what): uid 65534 ran hosts-client through sudo") == true
                && lines.first?.contains("run hosts-client as root outside sudo") == true,
            "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(!run.stderr.contains("SECRETHASH"), "the file's content was shown", sourceLocation: sourceLocation)
    }

    /// A root secret (0600) and a segment file the sudo user may read, in the sandbox.
    func attackFiles(_ sandbox: ClientSandbox) throws -> (secret: String, segment: String) {
        let secret = sandbox.root + "/secret"
        try sandbox.write(Self.secret, to: secret)
        chmod(secret, 0o600)
        let segment = sandbox.root + "/seg.hosts"
        try sandbox.write("10.0.0.7 mine\n", to: segment)
        chmod(segment, 0o644)
        return (secret, segment)
    }

    /// `add mine --local --from segment` under sudo, at the default paths: allowed.
    func addUnderSudo(
        _ sandbox: ClientSandbox, _ segment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let add = try sandbox.runAtDefaultPaths(["add", "mine", "--local", "--from", segment], environment: Self.sudo)
        #expect(add.ok, "\(add.stderr)", sourceLocation: sourceLocation)
    }

    /// The reviewer's attack: the secret is not written, not backed up, not copied anywhere.
    @Test func anotherHostsFileIsRefusedUnderSudo() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let (secret, segment) = try attackFiles(sandbox)
            let add = try sandbox.run(
                ["add", "mine", "--local", "--from", segment], environment: Self.sudo, hostsFile: secret)
            expectRefused(add, "--hosts-file \(secret)")
            #expect(try String(contentsOfFile: secret, encoding: .utf8) == Self.secret, "the secret was modified")
            #expect(sandbox.backupCount == 0, "a backup was saved")
            #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory + "/local"), "a segment was added")

            // The same through the environment variable, at the default state directory.
            let variable = try sandbox.runAtDefaultPaths(
                ["add", "mine", "--local", "--from", segment],
                environment: Self.sudo.merging(["PSEUDODNS_HOSTS_FILE": secret]) { $1 })
            expectRefused(variable, "PSEUDODNS_HOSTS_FILE \(secret)")
            #expect(try String(contentsOfFile: secret, encoding: .utf8) == Self.secret)
            #expect(sandbox.backupCount == 0)
            #expect(sandbox.hosts == ClientSandbox.originalHosts)
        }
    }

    @Test func anotherStateDirectoryIsRefusedUnderSudo() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let (_, segment) = try attackFiles(sandbox)
            let other = sandbox.root + "/other-state"
            let add = try sandbox.runAtDefaultPaths(
                ["add", "mine", "--local", "--from", segment, "--state-dir", other], environment: Self.sudo)
            expectRefused(add, "--state-dir \(other)")
            #expect(!FileManager.default.fileExists(atPath: other), "the state directory was made")
            #expect(sandbox.hosts == ClientSandbox.originalHosts, "the hosts file was written")
        }
    }

    /// A backup root took of another file (root outside sudo may) is not restored onto /etc/hosts under sudo.
    @Test func restoreOntoOtherFileIsRefusedUnderSudo() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let (secret, segment) = try attackFiles(sandbox)
            let asRoot = try sandbox.run(["add", "mine", "--local", "--from", segment], hostsFile: secret)
            #expect(asRoot.ok, "\(asRoot.stderr)")
            #expect(sandbox.backupCount == 1, "root outside sudo backs up the file it writes")
            let restore = try sandbox.runAtDefaultPaths(["restore", "--onto-other-file"], environment: Self.sudo)
            expectRefused(restore, "--onto-other-file")
            #expect(sandbox.hosts == ClientSandbox.originalHosts, "a backup was restored onto the hosts file")
            #expect(!sandbox.hosts.contains("SECRETHASH"))
            #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory + "/paused.json"))
        }
    }

    /// `sudo hosts-client config after-apply CMD` made root run CMD after every later write (`apply` under sudo, the
    /// root service's `sync`): a root shell for a user the sudoers rule gave hosts-client alone. Refused, set or unset;
    /// root outside sudo still sets it, and showing it stays allowed.
    @Test func afterApplyIsRefusedUnderSudo() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let (_, segment) = try attackFiles(sandbox)
            let marker = sandbox.root + "/ran-as-root"
            let hook = "id -u > \(marker)"
            let set = try sandbox.runAtDefaultPaths(["config", "after-apply", hook], environment: Self.sudo)
            expectRefused(set, "config after-apply")
            try addUnderSudo(sandbox, segment)
            #expect(!FileManager.default.fileExists(atPath: marker), "root ran the sudo user's after-apply command")
            let unset = try sandbox.runAtDefaultPaths(["config", "after-apply", "--unset"], environment: Self.sudo)
            expectRefused(unset, "config after-apply")
            let show = try sandbox.runAtDefaultPaths(["config", "after-apply"], environment: Self.sudo)
            #expect(show.ok && show.stdout.contains("(none: flush resolver caches)"), "\(show.stdout)\(show.stderr)")

            let asRoot = try sandbox.run(["config", "after-apply", hook])
            #expect(asRoot.ok, "\(asRoot.stderr)")
            let two = sandbox.root + "/two.hosts"
            try sandbox.write("10.0.0.8 two\n", to: two)
            let write = try sandbox.run(["add", "two", "--local", "--from", two])
            #expect(write.ok, "\(write.stderr)")
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "0\n", "the admin's hook runs")
        }
    }

    /// `sudo hosts-client edit mine` ran $VISUAL/$EDITOR (or vi, whose `:!sh` is a shell) as root. Refused before
    /// any editor starts.
    @Test func editIsRefusedUnderSudo() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let (_, segment) = try attackFiles(sandbox)
            try addUnderSudo(sandbox, segment)
            let marker = sandbox.root + "/editor-ran"
            let editor = sandbox.root + "/editor.sh"
            try sandbox.write("#!/bin/sh\nid -u > \(marker)\n", to: editor)
            chmod(editor, 0o755)
            let edit = try sandbox.runAtDefaultPaths(
                ["edit", "mine"], environment: Self.sudo.merging(["VISUAL": editor, "EDITOR": editor]) { $1 })
            expectRefused(edit, "edit")
            #expect(!FileManager.default.fileExists(atPath: marker), "the editor ran as root")

            let asRoot = try sandbox.run(["edit", "mine"], environment: ["VISUAL": editor])
            #expect(asRoot.ok, "\(asRoot.stderr)")
            #expect(FileManager.default.fileExists(atPath: marker), "root outside sudo still edits")
        }
    }

    /// Under sudo the defaults are managed as before; root without sudo (no SUDO_UID, or SUDO_UID=0) may still use
    /// other paths, and `restore --onto-other-file`.
    @Test func theDefaultsUnderSudoAndOtherPathsAsRootStillWork() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let (secret, segment) = try attackFiles(sandbox)
            try addUnderSudo(sandbox, segment)
            #expect(sandbox.blockLines.contains("10.0.0.7 mine"))

            let other = try ClientSandbox()
            let root = try other.run(["add", "mine", "--local", "--from", segment], environment: ["SUDO_UID": "0"])
            #expect(root.ok, "\(root.stderr)")
            #expect(other.blockLines.contains("10.0.0.7 mine"))
            let onto = try other.run(["add", "two", "--local", "--from", segment], hostsFile: secret)
            #expect(onto.ok, "\(onto.stderr)")
            let restore = try other.run(["restore", "--onto-other-file"])
            #expect(restore.ok, "\(restore.stderr)")
        }
    }
}
