import Foundation
import TestSupport
import Testing

/// A real nscd caches hosts lookups; after a write the client flushes it, so the next lookup has the new address.
@Suite(.enabled(if: ResolverNamespace.hasNscd, "needs root, unshare -m, python3 and /usr/sbin/nscd"))
struct ResolverCacheFlushTests {
    /// nscd that never looks at /etc/hosts itself (check-files no) and keeps nothing on disk: only an explicit
    /// invalidation (`nscd -i hosts`) makes it forget.
    static let nscdConfig = """
        debug-level 0
        paranoia no
        enable-cache passwd no
        enable-cache group no
        enable-cache netgroup no
        enable-cache services no
        enable-cache hosts yes
        positive-time-to-live hosts 3600
        negative-time-to-live hosts 3600
        check-files hosts no
        persistent hosts no
        shared hosts no

        """

    @Test func aSyncFlushesNscdSoTheNextLookupHasTheNewAddress() throws {
        let sandbox = try ClientSandbox(hosts: "127.0.0.1 localhost\n")
        let profile = sandbox.root + "/served.hosts"
        try sandbox.write("10.0.0.1 web.corp.example\n", to: profile)
        let server = try ScriptedHTTPServer()
        defer { server.stop() }
        server.route("/profiles/office") { _ in
            let body = (try? String(contentsOfFile: profile, encoding: .utf8)) ?? ""
            return .text(body, etag: "\"\(body.hashValue)\"")
        }
        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office")])
        try sandbox.write(Self.nscdConfig, to: sandbox.root + "/nscd.conf")
        try sandbox.write("web.corp.example\n", to: sandbox.root + "/names")

        // In the namespace: a private /run (nscd's socket and pid file; /var/run links there), a real nscd,
        // and the client writing /etc/hosts — which there is the sandbox file.
        let script = """
            mount -t tmpfs tmpfs /run
            mkdir -p /run/nscd
            /usr/sbin/nscd -F -f "$ROOT/nscd.conf" &
            NSCD=$!
            trap 'kill $NSCD; wait $NSCD' EXIT
            i=0
            while [ ! -S /run/nscd/socket ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
            [ -S /run/nscd/socket ] || { echo "nscd did not start" >&2; exit 3; }
            run() { "$CLIENT" --hosts-file /etc/hosts --state-dir "$STATE" "$@"; }
            "$PYTHON" "$RESOLVE" "$ROOT/names" > "$ROOT/first.json"
            # Control: a write without the flush (the hook replaces it) leaves nscd answering the old address.
            run config after-apply true
            printf '10.0.0.2 web.corp.example\\n' > "$ROOT/served.hosts"
            run sync --force
            "$PYTHON" "$RESOLVE" "$ROOT/names" > "$ROOT/control.json"
            run config after-apply --unset
            printf '10.0.0.3 web.corp.example\\n' > "$ROOT/served.hosts"
            run sync --force
            "$PYTHON" "$RESOLVE" "$ROOT/names" > "$ROOT/second.json"
            run status > "$ROOT/status.txt"
            run status --json > "$ROOT/status.json"
            """
        let output = try ResolverNamespace.run(
            script, hostsFile: sandbox.hostsFile, in: sandbox.root,
            environment: ["ROOT": sandbox.root, "STATE": sandbox.stateDirectory], timeout: 120)
        #expect(output.status == 0, "\(output.stderr)")
        func answer(_ file: String) throws -> [String]? {
            let data = try Data(contentsOf: URL(fileURLWithPath: sandbox.root + "/" + file))
            return try JSONDecoder().decode([String: ResolverNamespace.Answer].self, from: data)["web.corp.example"]?
                .ghbn
        }
        #expect(try answer("first.json") == ["10.0.0.1"])
        #expect(try answer("control.json") == ["10.0.0.1"], "nscd caches: without a flush the old address stays")
        #expect(sandbox.blockLines.contains("10.0.0.3 web.corp.example"))
        #expect(try answer("second.json") == ["10.0.0.3"], "after the client's flush nscd answers the new address")
        let status = try String(contentsOfFile: sandbox.root + "/status.txt", encoding: .utf8)
        #expect(status.contains("last flush ("), "\(status)")
        #expect(status.contains("nscd -i hosts ok"), "\(status)")
        let json = try String(contentsOfFile: sandbox.root + "/status.json", encoding: .utf8)
        #expect(json.contains("\"name\" : \"nscd -i hosts\""), "\(json)")
    }
}
