import Foundation
import TestSupport
import Testing

/// A client killed after it replaced /etc/hosts and before the resolver flush used to leave nscd answering the old
/// address until some later write happened to flush it: the next run saw the file already right and wrote (and
/// flushed) nothing. Now the write leaves a durable mark that the flush clears, and the next client to take the lock
/// runs the flush it finds owed.
///
/// The crash is real: the client (the real binary, on a sandbox file bind-mounted over /etc/hosts in a private mount
/// namespace, with a real nscd) is stopped with SIGSTOP the moment the file changes, then SIGKILLed. Where the stop
/// lands is up to the scheduler, so the run repeats until it has landed between the write and the flush a few
/// times; every attempt, wherever it landed, must end with nscd answering the new address after the next run.
@Suite(.enabled(if: ResolverNamespace.hasNscd, "needs root, unshare -m, python3 and /usr/sbin/nscd"))
struct FlushRecoveryTests {
    static let driver = """
        import json, os, signal, socket, subprocess, sys, time
        root, state, client = os.environ["ROOT"], os.environ["STATE"], os.environ["CLIENT"]
        mark = state + "/flush-pending.json"
        def answer():
            try:
                return socket.gethostbyname_ex("web.corp.example")[2]
            except OSError as error:
                return [str(error)]
        def serve(i):
            # Longer every time: /etc/hosts is a bind mount, rewritten in place, never shorter than before.
            lines = ["10.0.%d.1 web.corp.example" % i] + ["10.0.%d.2 pad-%d.corp.example" % (i, j) for j in range(i + 1)]
            with open(root + "/served.hosts", "w") as f:
                f.write("\\n".join(lines) + "\\n")
        def look():
            st = os.stat("/etc/hosts")
            return (st.st_mtime_ns, st.st_size, st.st_ino)
        base = ["--hosts-file", "/etc/hosts", "--state-dir", state]
        attempts = []
        caught = 0
        for i in range(1, 41):
            before = answer()
            serve(i)
            start = look()
            proc = subprocess.Popen([client, "sync", "--force"] + base,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stopped = False
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if look() != start:
                    os.kill(proc.pid, signal.SIGSTOP)
                    stopped = True
                    break
                if proc.poll() is not None:
                    break
            marked = os.path.exists(mark)
            during = answer()
            os.kill(proc.pid, signal.SIGKILL) if proc.poll() is None else None
            proc.wait()
            landed = stopped and marked and during == before
            caught += 1 if landed else 0
            run = subprocess.run([client, "apply"] + base, capture_output=True, text=True, timeout=60)
            attempts.append({"attempt": i, "stopped": stopped, "marked": marked, "before": before,
                             "during": during, "after": answer(), "expected": ["10.0.%d.1" % i],
                             "landed": landed, "apply_status": run.returncode, "apply_err": run.stderr,
                             "mark_left": os.path.exists(mark)})
            if caught >= 3:
                break
        json.dump(attempts, sys.stdout)

        """

    struct Attempt: Decodable {
        var attempt: Int
        var stopped: Bool
        var marked: Bool
        var before: [String]
        var during: [String]
        var after: [String]
        var expected: [String]
        var landed: Bool
        var applyStatus: Int
        var applyErr: String
        var markLeft: Bool

        enum CodingKeys: String, CodingKey {
            case attempt, stopped, marked, before, during, after, expected, landed
            case applyStatus = "apply_status"
            case applyErr = "apply_err"
            case markLeft = "mark_left"
        }
    }

    @Test func aClientKilledBetweenTheWriteAndTheFlushHasTheNextRunFlush() async throws {
        let lab = try NscdLab(first: "10.0.0.1 web.corp.example\n")
        // Keeps the lab (its server) alive to the end.
        defer { lab.server.stop() }
        let sandbox = lab.sandbox
        try sandbox.write(Self.driver, to: sandbox.root + "/crash.py")
        let script = NscdLab.script(#""$PYTHON" "$ROOT/crash.py""#)
        let (root, state, hostsFile) = (sandbox.root, sandbox.stateDirectory, sandbox.hostsFile)
        let output = try await offThePool {
            try ResolverNamespace.run(
                script, hostsFile: hostsFile, in: root, environment: ["ROOT": root, "STATE": state], timeout: 600)
        }
        #expect(output.status == 0, "\(output.stderr)")
        let attempts = try JSONDecoder().decode([Attempt].self, from: Data(output.stdout.utf8))
        #expect(!attempts.isEmpty)
        for attempt in attempts {
            #expect(attempt.applyStatus == 0, "attempt \(attempt.attempt): apply: \(attempt.applyErr)")
            #expect(
                attempt.after == attempt.expected,
                "attempt \(attempt.attempt): after the next run nscd answers \(attempt.after), not the new address")
            #expect(!attempt.markLeft, "attempt \(attempt.attempt): the mark outlived the flush")
        }
        let landed = attempts.filter(\.landed)
        #expect(
            landed.count >= 1, "no kill landed between the write and the flush in \(attempts.count) attempts")
        for attempt in landed {
            #expect(
                attempt.applyErr.contains("stopped before flushing the resolver caches; flushed now: nscd -i hosts ok"),
                "attempt \(attempt.attempt): \(attempt.applyErr)")
        }
        print("FlushRecoveryTests: \(landed.count) of \(attempts.count) kills landed between the write and the flush")
    }
}
