import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Root runs `nscd -i hosts` (and `resolvectl flush-caches`) found on PATH. Under sudo PATH may be the user's
/// (`env_keep`, no `secure_path`), so as root only a tool behind directories root alone controls is run. Before,
/// PATH was not searched at all (each entry became an array of characters: `access("[\"/\", \"u\", …]/nscd")`),
/// only /usr/sbin and /sbin: safe by accident, and a tool elsewhere on PATH (/usr/bin) never found.
@Suite(.enabled(if: ResolverNamespace.available, "needs root and unshare -m"))
struct FlushToolPathTests {
    /// With an nscd socket present (a private /run), `add` as root with PATH starting at `tools`: whether the
    /// `nscd` there ran (it writes the uid it ran as).
    func nscdRan(toolsOwner owner: uid_t) async throws -> Bool {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let tools = sandbox.root + "/tools"
            try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: false)
            let marker = sandbox.root + "/nscd-ran"
            try sandbox.write("#!/bin/sh\nid -u > \(marker)\n", to: tools + "/nscd")
            for path in [tools, tools + "/nscd"] {
                chmod(path, 0o755)
                chown(path, owner, owner)
            }
            try sandbox.write("10.0.0.7 mine\n", to: sandbox.root + "/seg.hosts")
            let output = try ResolverNamespace.run(
                """
                mount -t tmpfs tmpfs /run
                mkdir -p /run/nscd
                : > /run/nscd/socket
                "$CLIENT" add mine --local --from "$ROOT/seg.hosts" --hosts-file /etc/hosts --state-dir "$STATE" || true
                """, hostsFile: sandbox.hostsFile, in: sandbox.root,
                environment: [
                    "ROOT": sandbox.root, "STATE": sandbox.stateDirectory,
                    "PATH": tools + ":/usr/sbin:/usr/bin:/sbin:/bin",
                ], timeout: 120)
            #expect(output.status == 0, "\(output.stderr)")
            #expect(sandbox.blockLines.contains("10.0.0.7 mine"), "\(output.stderr)")
            return FileManager.default.fileExists(atPath: marker)
        }
    }

    @Test func rootRunsNoFlushToolFromADirectoryAnotherUserOwns() async throws {
        #expect(try await !nscdRan(toolsOwner: 65534), "root ran nobody's nscd from PATH")
    }

    /// The control: the same PATH with a root-owned directory is looked up and run (failed before: PATH unread).
    @Test func rootRunsAFlushToolFromARootDirectoryOnPath() async throws {
        #expect(try await nscdRan(toolsOwner: 0), "the tool on PATH was not run: the test does not see the lookup")
    }
}
