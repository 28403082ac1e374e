import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `--token-file` and `--ca-file` are read by root at `add` and again at every `sync` and `watch` round. Another
/// user who can write the file or a directory on its path fed root a FIFO (the client hung for good), /dev/zero
/// (it read until memory ran out), a file of theirs (its first line went out as the bearer token) or a link to a
/// root secret (which then went out as the token). Now each is refused with one line naming the file and exit 78,
/// and the next client gets the state lock.
@Suite(.enabled(if: Attacker.available, "needs root and setpriv"))
struct TrustedFileAttackTests {
    /// The attack's client never runs longer than this; a hang is killed here and fails the test (an attack that is
    /// refused ends in well under a second).
    static let bound: Double = 60
    /// A client that reads /dev/zero must not take the machine's memory with it: at most 2 GiB of address space.
    static let limited = ["/usr/bin/prlimit", "--as=\(2 << 30)"]

    struct Outcome {
        var run: ClientSandbox.Run
        /// Still running at the bound (then killed).
        var hung: Bool
    }

    /// Runs the client on the attack, bounded in time and memory.
    func attack(_ sandbox: ClientSandbox, _ arguments: [String]) async throws -> Outcome {
        try await finish(sandbox.launch(arguments, prefix: Self.limited))
    }

    /// Waits for a launched client, killing it at the bound.
    func finish(_ launched: ClientSandbox.Launched) async throws -> Outcome {
        try await offThePool {
            let exited = waitUntil(seconds: Self.bound) { !launched.process.isRunning }
            if !exited { kill(launched.process.processIdentifier, SIGKILL) }
            launched.process.waitUntilExit()
            return Outcome(run: launched.finish(), hung: !exited)
        }
    }

    /// Refused: not hung, exit 78, one line on stderr that names the file and the problem.
    /// `oneLine`: `add` says only that; `sync` also names the stale segment.
    func expectRefused(
        _ outcome: Outcome, file: String, _ problem: String, oneLine: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(!outcome.hung, "the client hung (killed after \(Int(Self.bound)) s)", sourceLocation: sourceLocation)
        #expect(
            outcome.run.status == 78, "exit \(outcome.run.status): \(outcome.run.stderr)",
            sourceLocation: sourceLocation)
        let lines = outcome.run.stderr.split(separator: "\n")
        #expect(
            lines.contains { $0.contains(file) && $0.contains(problem) && $0.contains("refusing") },
            "\(outcome.run.stderr)", sourceLocation: sourceLocation)
        if oneLine { #expect(lines.count == 1, "\(outcome.run.stderr)", sourceLocation: sourceLocation) }
    }

    /// The state lock is free: another client takes it and finishes.
    func expectLockFree(_ sandbox: ClientSandbox, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let next = try await attack(sandbox, ["apply"])
        #expect(!next.hung && next.run.ok, "apply after the attack: \(next.run.stderr)", sourceLocation: sourceLocation)
    }

    func server() throws -> ScriptedHTTPServer {
        let server = try ScriptedHTTPServer()
        server.route("/profiles/office") { _ in .text("10.0.0.1 alpha\n", etag: "\"v1\"") }
        return server
    }

    @Test func aFIFOOrDevZeroAsTokenFileNeitherHangsNorFillsTheClient() async throws {
        let sandbox = try ClientSandbox()
        let server = try server()
        defer { server.stop() }
        let attacker = try Attacker.home(in: sandbox)
        #expect(Attacker.shell("mkfifo \(attacker)/token && ln -s /dev/zero \(attacker)/zero") == 0)
        let url = server.url("/profiles/office")

        let fifo = try await attack(sandbox, ["add", "office", "--url", url, "--token-file", attacker + "/token"])
        expectRefused(fifo, file: attacker + "/token", "its directory \(attacker) is owned by uid 65534, not root")
        let zero = try await attack(sandbox, ["add", "office", "--url", url, "--token-file", attacker + "/zero"])
        expectRefused(zero, file: attacker + "/zero", "is owned by uid 65534, not root")

        // The same files where only root writes (a mistake rather than an attack) end bounded too.
        #expect(mkfifo(sandbox.root + "/fifo", 0o600) == 0)
        #expect(symlink("/dev/zero", sandbox.root + "/zero") == 0)
        let rootFIFO = try await attack(
            sandbox, ["add", "office", "--url", url, "--token-file", sandbox.root + "/fifo"])
        expectRefused(rootFIFO, file: sandbox.root + "/fifo", "it is a FIFO (named pipe), not a regular file")
        let https = "https://127.0.0.1:\(server.port)/profiles/office"
        let caZero = try await attack(sandbox, ["add", "office", "--url", https, "--ca-file", sandbox.root + "/zero"])
        expectRefused(caZero, file: sandbox.root + "/zero", "it is a character device, not a regular file")
        #expect(server.requests(to: "/profiles/office").isEmpty, "nothing was fetched with a refused file")
        #expect(sandbox.hosts == ClientSandbox.originalHosts)
        try await expectLockFree(sandbox)
    }

    @Test func anOversizedCAFileAndAnotherUsersTokenFileAreRefused() async throws {
        let sandbox = try ClientSandbox()
        let server = try server()
        defer { server.stop() }
        let big = sandbox.root + "/big-ca.pem"
        let line = String(repeating: "A", count: 63) + "\n"
        try sandbox.write(
            "-----BEGIN CERTIFICATE-----\n" + String(repeating: line, count: (2 << 20) / 64)
                + "-----END CERTIFICATE-----\n", to: big)
        let https = "https://127.0.0.1:\(server.port)/profiles/office"
        let ca = try await attack(sandbox, ["add", "office", "--url", https, "--ca-file", big])
        expectRefused(ca, file: big, "larger than 1 MiB, the most a CA file may hold")

        let token = sandbox.root + "/token"
        try sandbox.write("theirs\n", to: token)
        #expect(chown(token, Attacker.uid, Attacker.uid) == 0)
        let url = server.url("/profiles/office")
        let theirs = try await attack(sandbox, ["add", "office", "--url", url, "--token-file", token])
        expectRefused(theirs, file: token, "it is owned by uid 65534, not root")
        #expect(server.requests(to: "/profiles/office").isEmpty, "another user's token was never sent")
        try await expectLockFree(sandbox)
    }

    /// The path is in config.json and the file is read again at every sync: a token file that was safe at `add`
    /// and is not any more (its directory given to another user) is refused at the sync, not sent. Before, the
    /// attacker swapped the file for a link to a root secret and the client sent the secret as its bearer token.
    @Test func aTokenFileThatBecameUnsafeAfterAddIsRefusedAtEverySync() async throws {
        let sandbox = try ClientSandbox()
        let server = try server()
        defer { server.stop() }
        let directory = sandbox.root + "/tokens"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        try sandbox.writeSecret("good-token\n", to: directory + "/office")
        let secret = sandbox.root + "/secret"
        try sandbox.write("TOPSECRET\n", to: secret)
        chmod(secret, 0o600)
        try sandbox.succeed([
            "add", "office", "--url", server.url("/profiles/office"), "--token-file", directory + "/office",
        ])
        #expect(server.requests(to: "/profiles/office").last?.headers["authorization"] == "Bearer good-token")

        #expect(chown(directory, Attacker.uid, Attacker.uid) == 0)
        #expect(Attacker.shell("rm \(directory)/office && ln -s \(secret) \(directory)/office") == 0)
        let swapped = try await attack(sandbox, ["sync", "--force"])
        expectRefused(
            swapped, file: directory + "/office", "its directory \(directory) is owned by uid 65534", oneLine: false)
        #expect(
            !server.requests.contains { $0.headers["authorization"]?.contains("TOPSECRET") == true },
            "root's secret went out as the bearer token")
        #expect(sandbox.blockLines.contains { $0.hasSuffix("alpha") }, "the last good copy stays")

        #expect(Attacker.shell("rm \(directory)/office && mkfifo \(directory)/office") == 0)
        let fifo = try await attack(sandbox, ["sync", "--force"])
        expectRefused(
            fifo, file: directory + "/office", "its directory \(directory) is owned by uid 65534", oneLine: false)
        try await expectLockFree(sandbox)
        let status = try sandbox.run(["status"])
        #expect(status.stdout.contains("refusing token file"), "\(status.stdout)")
    }

    /// `add --local --from` reads its file with the state lock held: a FIFO there held the lock for good, and every
    /// other client waited behind it. Now the FIFO is refused and the next client gets the lock at once.
    @Test func aFIFOGivenToAddFromDoesNotHoldTheStateLock() async throws {
        let sandbox = try ClientSandbox()
        let fifo = sandbox.root + "/mine.hosts"
        #expect(mkfifo(fifo, 0o600) == 0)
        let launched = try sandbox.launch(["add", "mine", "--local", "--from", fifo], prefix: Self.limited)
        let lockFile = sandbox.stateDirectory + "/lock"
        // Until the add is gone, or holds the lock (flock -n fails): then a second client must still get it.
        let settled = try await offThePool {
            waitUntil(seconds: Self.bound) {
                !launched.process.isRunning
                    || WriteSafetyTests.shell(["/usr/bin/flock", "-n", "-E", "3", lockFile, "true"]) == 3
            }
        }
        #expect(settled)
        try await expectLockFree(sandbox)
        let add = try await finish(launched)
        expectRefused(add, file: fifo, "it is a FIFO (named pipe), not a regular file")
    }

    /// Under sudo, a file read once by the command that names it (`--from`) may be the invoking user's; a token
    /// file, read again by the service at every sync, may not.
    @Test func theSudoUserIsTrustedForAddFromButNotForATokenFile() async throws {
        let sandbox = try ClientSandbox()
        let server = try server()
        defer { server.stop() }
        let home = try Attacker.home(in: sandbox)
        #expect(Attacker.shell("printf '10.0.0.9 mine.example\\n' > \(home)/mine.hosts && echo t > \(home)/token") == 0)
        let sudo = ["SUDO_UID": "\(Attacker.uid)"]

        let foreign = try sandbox.run(["add", "mine", "--local", "--from", home + "/mine.hosts"])
        #expect(foreign.status == 78, "without sudo another user's file is refused: \(foreign.stderr)")
        let mine = try sandbox.runAtDefaultPaths(
            ["add", "mine", "--local", "--from", home + "/mine.hosts"], environment: sudo)
        #expect(mine.ok, "\(mine.stderr)")
        #expect(sandbox.blockLines.contains("10.0.0.9 mine.example"))

        let token = try sandbox.runAtDefaultPaths(
            ["add", "office", "--url", server.url("/profiles/office"), "--token-file", home + "/token"],
            environment: sudo)
        #expect(token.status == 78, "\(token.stderr)")
        #expect(token.stderr.contains("refusing token file \(home)/token: its directory \(home) is owned by uid 65534"))
        #expect(server.requests(to: "/profiles/office").isEmpty)
    }
}
