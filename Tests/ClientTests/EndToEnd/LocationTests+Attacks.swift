import Foundation
import HostsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `--when` rules against a network that lies: a captive portal answering every canary, an interface that is
/// there but carries nothing. Each must leave the segment off, saying why.
extension LocationTests {
    /// The coffee shop's portal answers every http request with a redirect to its login page: that is not the
    /// office's canary, so the office segment stays off; an http canary is warned about (anyone on the path
    /// can answer it), an https one is not.
    @Test func aCaptivePortalsRedirectIsNotTheCanary() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox()
            let portal = try ScriptedHTTPServer()
            defer { portal.stop() }
            for code in [301, 302, 303, 307, 308] {
                portal.route("/canary-\(code)") { _ in
                    ScriptedResponse(
                        status: code, headers: [("Location", "http://wifi-portal.example/login")],
                        body: Array("<a href=/login>log in</a>\n".utf8))
                }
            }
            portal.route("/canary-ok") { _ in .status(204, body: "") }
            let local = sandbox.root + "/office.hosts"
            for code in [301, 302, 303, 307, 308] {
                try sandbox.write("10.1.1.\(code % 256) office-\(code).corp\n", to: local)
                let add = try sandbox.succeed([
                    "add", "office-\(code)", "--local", "--from", local, "--when",
                    "reachable=\(portal.url("/canary-\(code)"))",
                ])
                #expect(add.stderr.contains("warning: reachable=\(portal.url("/canary-\(code)")) is plain http://"))
                #expect(!sandbox.blockLines.contains("10.1.1.\(code % 256) office-\(code).corp"), "HTTP \(code)")
            }
            try sandbox.write("10.1.1.200 office-ok.corp\n", to: local)
            try sandbox.succeed(["add", "office-ok", "--local", "--from", local])
            let when = try sandbox.succeed(["when", "office-ok", "reachable=\(portal.url("/canary-ok"))"])
            #expect(when.stderr.contains("warning: reachable=\(portal.url("/canary-ok")) is plain http://"))
            #expect(sandbox.blockLines.contains("10.1.1.200 office-ok.corp"), "a 2xx still holds")

            let status = try sandbox.succeed(["status"])
            #expect(status.stdout.contains("WARNING: reachable=\(portal.url("/canary-302")) is plain http://"))
            let why = try sandbox.succeed(["when", "office-302"])
            #expect(why.stdout.contains("does not hold (HTTP 302: a redirect"), "\(why.stdout)")
            #expect(why.stdout.contains("office-302 is off"))

            // An https canary is not warned about (it is not fetched: --no-apply, and `when` with rules only sets).
            let https = try sandbox.succeed([
                "when", "office-ok", "reachable=https://canary.corp.example/ok", "--no-apply",
            ])
            #expect(!https.stderr.contains("warning"), "\(https.stderr)")
        }
    }

    /// A VPN's interface with its address but the link down, then up with nothing behind it (NO-CARRIER): no
    /// traffic goes there, so neither `network=` nor `interface=` holds; with a carrier both do. (A veth pair
    /// stands in for the VPN's interface: its peer down is a missing carrier.)
    @Test(.enabled(if: NetworkLab.available, "needs root and iproute2"))
    func anInterfaceWithoutCarrierIsNotWhereThisMachineIs() async throws {
        try await offThePool {
            let lab = try NetworkLab()
            defer { lab.remove() }
            let sandbox = try ClientSandbox()
            try lab.ipInLaptop(["link", "add", "tun-vpn", "type", "veth", "peer", "name", "tun-peer"])
            try lab.ipInLaptop(["addr", "add", "10.88.0.5/24", "dev", "tun-vpn"])
            let local = sandbox.root + "/vpn.hosts"
            try sandbox.write("10.88.0.10 by-net.corp\n", to: local)
            func client(_ arguments: [String]) throws -> ClientSandbox.Run {
                let run = try sandbox.run(arguments, prefix: lab.inLaptop)
                #expect(run.ok, "hosts-client \(arguments.joined(separator: " ")): \(run.stderr)")
                return run
            }
            _ = try client(["add", "by-net", "--local", "--from", local, "--when", "network=10.88.0.0/16"])
            try sandbox.write("10.88.0.11 by-if.corp\n", to: local)
            _ = try client(["add", "by-if", "--local", "--from", local, "--when", "interface=tun-vpn"])
            func check(_ active: Bool, _ state: String) throws {
                _ = try client(["apply"])
                #expect(sandbox.blockLines.contains("10.88.0.10 by-net.corp") == active, "network=, \(state)")
                #expect(sandbox.blockLines.contains("10.88.0.11 by-if.corp") == active, "interface=, \(state)")
            }
            try check(false, "link down")
            #expect(try client(["when", "by-net"]).stdout.contains("10.88.0.5 only, and tun-vpn is down"))
            try lab.ipInLaptop(["link", "set", "tun-vpn", "up"])
            try check(false, "up, no carrier")
            #expect(try client(["when", "by-if"]).stdout.contains("tun-vpn is up but has no carrier"))
            try lab.ipInLaptop(["link", "set", "tun-peer", "up"])
            try check(true, "up with a carrier")

            // `watch` sees the carrier go (the VPN dropping) as a move, and switches both off.
            let watch = try RunningWatch(sandbox, prefix: lab.inLaptop)
            defer { watch.stop() }
            let watchSaid = watch.said
            try waitUntil("watch to start") { watchSaid("now at:") }
            try lab.ipInLaptop(["link", "set", "tun-peer", "down"])
            try waitUntil("the segments to go") {
                !sandbox.blockLines.contains("10.88.0.10 by-net.corp")
                    && !sandbox.blockLines.contains("10.88.0.11 by-if.corp")
            }
        }
    }
}
