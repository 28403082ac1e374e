import Foundation
import TestSupport
import Testing

/// A sandbox whose remote segment `office` is served from `served.hosts` (rewritten between syncs by the test or
/// by a script in the namespace), and a real nscd to ask: ``script(_:)`` starts one in the private mount namespace
/// of ``ResolverNamespace`` before `body` runs, where /etc/hosts is the sandbox file.
final class NscdLab {
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

    let sandbox: ClientSandbox
    let server: ScriptedHTTPServer
    /// What the server answers for `/profiles/office`.
    let profile: String

    /// `office` added with `first` as its content; `$ROOT/nscd.conf` written.
    init(first: String) throws {
        sandbox = try ClientSandbox(hosts: "127.0.0.1 localhost\n")
        let profile = sandbox.root + "/served.hosts"
        self.profile = profile
        try sandbox.write(first, to: profile)
        server = try ScriptedHTTPServer()
        server.route("/profiles/office") { _ in
            let body = (try? String(contentsOfFile: profile, encoding: .utf8)) ?? ""
            return .text(body, etag: "\"\(body.hashValue)\"")
        }
        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office")])
        try sandbox.write(Self.nscdConfig, to: sandbox.root + "/nscd.conf")
    }

    deinit { server.stop() }

    /// `body` (sh) after a private /run (nscd's socket and pid file; /var/run links there) and a real nscd, stopped
    /// when the script ends.
    static func script(_ body: String) -> String {
        """
        mount -t tmpfs tmpfs /run
        mkdir -p /run/nscd
        /usr/sbin/nscd -F -f "$ROOT/nscd.conf" &
        NSCD=$!
        trap 'kill $NSCD; wait $NSCD' EXIT
        i=0
        while [ ! -S /run/nscd/socket ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
        [ -S /run/nscd/socket ] || { echo "nscd did not start" >&2; exit 3; }

        """ + body
    }
}
