import Foundation
import TestSupport
import Testing

/// After writing /etc/hosts, root's client looks for the resolver caches to flush. Another user can start a
/// process named `dnsmasq` (a copy of /bin/sh under that name) whose command line points the client at a FIFO or
/// /dev/zero as its configuration file: read as root with the state lock held, that hung the client (and every
/// other hosts-client waiting for the lock) or filled its memory. Now the client only considers the system's
/// dnsmasq and reads a configuration only when it is a bounded plain file root controls.
@Suite(
    .enabled(if: ResolverNamespace.available && Attacker.available, "needs root, setpriv, unshare -m and python3"))
struct ResolverFlushAttackTests {
    @Test func aFakeDnsmasqOfAnotherUserNeitherHangsNorFillsTheClient() throws {
        let sandbox = try ClientSandbox(hosts: "127.0.0.1 localhost\n")
        let attacker = try Attacker.home(in: sandbox)
        try sandbox.write("10.0.0.1 web.corp.example\n", to: sandbox.root + "/mine.hosts")
        // The attacker's part runs as nobody; the client's as root, on the sandbox file bind-mounted over
        // /etc/hosts (so the flush runs). Each run is bounded by `timeout`: 124 or 137 would be the hang.
        let script = """
            as_nobody() { /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups /bin/sh -c "$1"; }
            as_nobody 'cp /bin/dash "$ATT/dnsmasq" && mkfifo "$ATT/fifo"'
            as_nobody '"$ATT/dnsmasq" -c "sleep 120; true" x --conf-file="$ATT/fifo" & echo $! > "$ATT/fifo.pid"'
            as_nobody '"$ATT/dnsmasq" -c "sleep 120; true" x -C /dev/zero & echo $! > "$ATT/zero.pid"'
            trap 'for p in $(cat "$ATT/fifo.pid" "$ATT/zero.pid"); do pkill -P $p; kill $p; done 2>/dev/null' EXIT
            i=0
            while [ "$(cat /proc/$(cat "$ATT/zero.pid")/comm 2>/dev/null)" != dnsmasq ] && [ $i -lt 200 ]; do
                sleep 0.05; i=$((i+1))
            done
            [ "$(cat /proc/$(cat "$ATT/fifo.pid")/comm)" = dnsmasq ] || { echo "no fake dnsmasq" >&2; exit 3; }
            set +e
            timeout -s KILL 60 "$CLIENT" --hosts-file /etc/hosts --state-dir "$STATE" \\
                add mine --local --from "$ROOT/mine.hosts" > "$ROOT/add.out" 2> "$ROOT/add.err"
            echo $? > "$ROOT/add.status"
            timeout -s KILL 60 "$CLIENT" --hosts-file /etc/hosts --state-dir "$STATE" status > "$ROOT/status.txt"
            echo $? > "$ROOT/status.status"
            """
        let output = try ResolverNamespace.run(
            script, hostsFile: sandbox.hostsFile, in: sandbox.root,
            environment: ["ROOT": sandbox.root, "STATE": sandbox.stateDirectory, "ATT": attacker], timeout: 180)
        #expect(output.status == 0, "\(output.stderr)")
        func read(_ name: String) -> String {
            ((try? String(contentsOfFile: sandbox.root + "/" + name, encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(read("add.status") == "0", "add: \(read("add.err"))")
        #expect(sandbox.blockLines.contains("10.0.0.1 web.corp.example"))
        #expect(read("status.status") == "0")
        // Neither fake was taken for a dnsmasq: nothing was read from them or signalled.
        #expect(read("status.txt").contains("not running: "), "\(read("status.txt"))")
        #expect(!read("status.txt").contains("SIGHUP"), "\(read("status.txt"))")
    }
}
