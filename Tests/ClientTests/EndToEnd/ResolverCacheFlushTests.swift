import Foundation
import TestSupport
import Testing

/// A real nscd caches hosts lookups; after a write the client flushes it, so the next lookup has the new address.
@Suite(.enabled(if: ResolverNamespace.hasNscd, "needs root, unshare -m, python3 and /usr/sbin/nscd"))
struct ResolverCacheFlushTests {
    @Test func aSyncFlushesNscdSoTheNextLookupHasTheNewAddress() throws {
        let lab = try NscdLab(first: "10.0.0.1 web.corp.example\n")
        // Keeps the lab (its server) alive to the end.
        defer { lab.server.stop() }
        let sandbox = lab.sandbox
        try sandbox.write("web.corp.example\n", to: sandbox.root + "/names")

        // In the namespace: a real nscd, and the client writing /etc/hosts — which there is the sandbox file.
        let script = NscdLab.script(
            """
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
            """)
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
