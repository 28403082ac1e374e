import Foundation
import HostsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `--when` rules and `watch` noticing moves: the right addresses at the office and at home, nobody touching
/// anything. The moves are real: network namespaces and a veth pair made by the test (``NetworkLab``).
@Suite struct LocationTests {
    /// Waits (bounded) until `condition` holds.
    func waitUntil(_ what: String, seconds: Double = 30, _ condition: () -> Bool) throws {
        let end = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < end else { throw SandboxError("timed out waiting for \(what)") }
            usleep(50_000)
        }
    }

    struct StatusJSON: Decodable {
        struct Rule: Decodable {
            var rule: String
            var holds: Bool
        }
        struct Segment: Decodable {
            var name: String
            var active: Bool
            var why: String
            var rules: [Rule]
        }
        var segments: [Segment]
    }

    func status(_ sandbox: ClientSandbox, prefix: [String] = []) throws -> [String: StatusJSON.Segment] {
        let run = try sandbox.run(["status", "--json"], prefix: prefix)
        let report = try JSONDecoder().decode(StatusJSON.self, from: Data(run.stdout.utf8))
        return Dictionary(uniqueKeysWithValues: report.segments.map { ($0.name, $0) })
    }

    @Test func eachRuleKindWithNotAndEnableDisable() throws {
        let sandbox = try ClientSandbox()
        let canary = try ScriptedHTTPServer()
        defer { canary.stop() }
        canary.route("/up") { _ in .status(204, body: "") }
        canary.route("/down") { _ in .status(503) }
        let local = sandbox.root + "/local.hosts"
        try sandbox.write("10.1.1.1 here\n", to: local)
        let cases: [(String, [String], Bool)] = [
            ("loopback-net", ["network=127.0.0.0/8"], true),
            ("other-net", ["network=198.51.100.0/24"], false),
            ("not-other-net", ["not network=198.51.100.0/24"], true),
            ("lo-up", ["interface=lo"], true),
            ("no-tun", ["interface=tun-nosuch"], false),
            ("not-no-tun", ["not interface=tun-nosuch"], true),
            ("canary-up", ["reachable=\(canary.url("/up"))"], true),
            ("canary-down", ["reachable=\(canary.url("/down"))"], false),
            ("canary-gone", ["reachable=http://127.0.0.1:9/"], false),
            ("all-must-hold", ["interface=lo", "network=198.51.100.0/24"], false),
        ]
        for (name, rules, _) in cases {
            try sandbox.write("10.1.1.1 \(name)\n", to: local)
            try sandbox.succeed(["add", name, "--local", "--from", local] + rules.flatMap { ["--when", $0] })
        }
        let segments = try status(sandbox)
        for (name, rules, active) in cases {
            let segment = try #require(segments[name])
            #expect(segment.active == active, "\(name): \(segment.why)")
            #expect(
                segment.rules.map(\.rule) == rules.map { $0.replacingOccurrences(of: "tun-nosuch", with: "tun-nosuch") }
            )
            #expect(sandbox.blockLines.contains("10.1.1.1 \(name)") == active, "\(name) in the hosts file")
        }
        #expect(segments["canary-down"]?.why.contains("HTTP 503") == true)

        // disable wins over rules that hold; enable brings it back; a rule change applies at once.
        try sandbox.succeed(["disable", "lo-up"])
        #expect(!sandbox.blockLines.contains("10.1.1.1 lo-up"))
        #expect(try status(sandbox)["lo-up"]?.why == "disabled")
        try sandbox.succeed(["enable", "lo-up"])
        #expect(sandbox.blockLines.contains("10.1.1.1 lo-up"))
        try sandbox.succeed(["when", "lo-up", "interface=tun-nosuch"])
        #expect(!sandbox.blockLines.contains("10.1.1.1 lo-up"))
        try sandbox.succeed(["when", "lo-up", "--clear"])
        #expect(sandbox.blockLines.contains("10.1.1.1 lo-up"))
        let bad = try sandbox.run(["when", "lo-up", "wifi=Office"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("use network=CIDR, interface=NAME, reachable=URL"))
    }

    @Test(.enabled(if: NetworkLab.available, "needs root and iproute2"))
    func watchSwitchesBetweenOfficeAndHomeByItself() throws {
        let lab = try NetworkLab()
        defer { lab.remove() }
        let sandbox = try ClientSandbox()
        let published = sandbox.root + "/published"
        try FileManager.default.createDirectory(atPath: published, withIntermediateDirectories: true)
        try sandbox.write("198.51.100.10 app.corp\n198.51.100.11 db.corp\n", to: published + "/office.hosts")
        try sandbox.write("10.20.0.10 app.corp\n10.20.0.11 db.corp\n", to: published + "/remote.hosts")
        let port = try lab.startHostsServer(directory: published, logs: sandbox.root + "/server.log")
        let base = "http://\(NetworkLab.serverAddress):\(port)/profiles"

        try lab.move(laptopTo: "192.0.2.10/24", from: nil)
        let inLaptop = lab.inLaptop
        func client(_ arguments: [String]) throws -> ClientSandbox.Run {
            let run = try sandbox.run(arguments, prefix: inLaptop)
            #expect(run.ok, "hosts-client \(arguments.joined(separator: " ")): \(run.stderr)")
            return run
        }
        _ = try client(["add", "office", "--url", base + "/office", "--when", "network=192.0.2.0/24"])
        _ = try client(["add", "remote", "--url", base + "/remote", "--when", "network=10.8.0.0/24"])
        #expect(sandbox.blockLines.contains("198.51.100.10 app.corp"))
        #expect(!sandbox.blockLines.contains("10.20.0.10 app.corp"))
        let vpnFile = sandbox.root + "/vpn.hosts"
        try sandbox.write("10.99.0.1 vpn-only.corp\n", to: vpnFile)
        _ = try client(["add", "vpn", "--local", "--from", vpnFile, "--when", "interface=wg-test"])

        let watch = try RunningWatch(sandbox, prefix: lab.inLaptop)
        defer { watch.stop() }
        let watchSaid = watch.said
        try waitUntil("watch to start") { watchSaid("now at: office") }
        let backups = sandbox.backupCount

        // Home over the VPN: the office address goes, a VPN address comes.
        try lab.move(laptopTo: "10.8.0.10/24", from: "192.0.2.10/24")
        try waitUntil("the switch to remote") { sandbox.blockLines.contains("10.20.0.10 app.corp") }
        #expect(!sandbox.blockLines.contains("198.51.100.10 app.corp"))
        try waitUntil("the log line") { watchSaid("now at: remote (network=10.8.0.0/24 holds (10.8.0.10 on") }
        #expect(sandbox.backupCount == backups + 1, "one write for the move")

        // A VPN interface coming up switches its segment on; going down, off.
        // (A veth pair stands in for the VPN's interface: this kernel may have no dummy or wireguard module. Its
        // peer up is the carrier: an interface up without one does not count.)
        try lab.ipInLaptop(["link", "add", "wg-test", "type", "veth", "peer", "name", "wg-peer"])
        try lab.ipInLaptop(["link", "set", "wg-peer", "up"])
        try lab.ipInLaptop(["link", "set", "wg-test", "up"])
        try waitUntil("the vpn segment") { sandbox.blockLines.contains("10.99.0.1 vpn-only.corp") }
        try lab.ipInLaptop(["link", "set", "wg-test", "down"])
        try waitUntil("the vpn segment to go") { !sandbox.blockLines.contains("10.99.0.1 vpn-only.corp") }
        let afterVPN = sandbox.backupCount
        #expect(afterVPN == backups + 3)

        // A flap shorter than the settle time writes nothing: back to the office for 0.2 s, then home again.
        // (One shell times the flap: two moves started from here took more than the settle time under load.
        // A negative: nothing may happen, so this waits a bounded 3 settle times.)
        try lab.flap(laptopTo: "192.0.2.10/24", from: "10.8.0.10/24", milliseconds: 200)
        usleep(3_000_000)
        #expect(sandbox.backupCount == afterVPN, "a flap writes nothing")
        #expect(sandbox.blockLines.contains("10.20.0.10 app.corp"))

        // Back at the office.
        try lab.move(laptopTo: "192.0.2.10/24", from: "10.8.0.10/24")
        try waitUntil("the switch back to office") { sandbox.blockLines.contains("198.51.100.10 app.corp") }
        #expect(!sandbox.blockLines.contains("10.20.0.10 app.corp"))
        #expect(sandbox.backupCount == afterVPN + 1)
        #expect(watch.launched.process.isRunning)
    }

    @Test(.enabled(if: NetworkLab.available, "needs root and iproute2"))
    func aServerSideViewFollowsTheLaptopWithNoRules() throws {
        let lab = try NetworkLab()
        defer { lab.remove() }
        let sandbox = try ClientSandbox()
        let published = sandbox.root + "/published"
        try FileManager.default.createDirectory(atPath: published, withIntermediateDirectories: true)
        // Same names, different addresses and counts: remote has a third of office's entries.
        let profiles = [
            ("office", "198.51.100.10 app.corp\n198.51.100.11 db.corp\n198.51.100.12 ci.corp\n"),
            ("remote", "10.20.0.10 app.corp\n"),
        ]
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        var records: [ProfileRecord] = []
        for (name, text) in profiles {
            try sandbox.write(text, to: published + "/\(name).hosts")
            records.append(.of(name, text, entries: text.split(separator: "\n").count, at: date))
        }
        let view = ViewRecord(
            name: "auto",
            choose: [
                ViewChoice(profile: "office", from: [try CIDR(parsing: "192.0.2.0/24")]), ViewChoice(profile: "remote"),
            ])
        let index = try ProfileIndex(profiles: records, views: [view]).encoded()
        try Data(index).write(to: URL(fileURLWithPath: published + "/index.json"))
        let port = try lab.startHostsServer(directory: published, logs: sandbox.root + "/server.log")

        try lab.move(laptopTo: "192.0.2.10/24", from: nil)
        let add = try sandbox.run(
            ["add", "corp", "--url", "http://\(NetworkLab.serverAddress):\(port)/profiles/auto"], prefix: lab.inLaptop)
        #expect(add.ok, "\(add.stderr)")
        #expect(sandbox.blockLines.contains("198.51.100.10 app.corp"))

        let watch = try RunningWatch(sandbox, prefix: lab.inLaptop)
        defer { watch.stop() }
        let watchSaid = watch.said
        try waitUntil("watch to start") { watchSaid("now at: corp → office (server-side view)") }
        let backups = sandbox.backupCount

        // The view's profile header is not signed, so the first move to a profile a third the size is held by
        // the shrink guard like any other shrink (a server could name any profile with an empty body).
        try lab.move(laptopTo: "10.8.0.10/24", from: "192.0.2.10/24")
        let meta = { String(decoding: sandbox.file("cache/corp.meta.json") ?? [], as: UTF8.self) }
        do {
            try waitUntil("the move to be held") { meta().contains("held back by the shrink guard") }
        } catch {
            let err = (try? String(contentsOfFile: watch.launched.stderrPath, encoding: .utf8)) ?? ""
            let out = (try? String(contentsOfFile: watch.launched.stdoutPath, encoding: .utf8)) ?? ""
            Issue.record("watch said: \(out) \(err); meta: \(meta())")
            throw error
        }
        #expect(sandbox.blockLines.contains("198.51.100.10 app.corp"), "the held copy is not applied")
        #expect(sandbox.backupCount == backups)
        let accepted = try sandbox.run(["sync", "--accept-shrink", "corp"], prefix: lab.inLaptop)
        #expect(accepted.ok, "\(accepted.stderr)")
        #expect(sandbox.blockLines.contains("10.20.0.10 app.corp"))
        #expect(!sandbox.blockLines.contains("198.51.100.10 app.corp"))
        #expect(sandbox.backupCount == backups + 1, "one write for the move")

        try lab.move(laptopTo: "192.0.2.10/24", from: "10.8.0.10/24")
        try waitUntil("the view to choose office again") { sandbox.blockLines.contains("198.51.100.12 ci.corp") }
        #expect(sandbox.backupCount == backups + 2)

        // Home again: remote's own last size here is the measure now, so the move needs no one.
        try lab.move(laptopTo: "10.8.0.10/24", from: "192.0.2.10/24")
        try waitUntil("the view to choose remote again") { !sandbox.blockLines.contains("198.51.100.12 ci.corp") }
        #expect(sandbox.blockLines.contains("10.20.0.10 app.corp"))
        try waitUntil("the log line") { watchSaid("now at: corp → remote (server-side view)") }
        #expect(sandbox.backupCount == backups + 3)
    }
}

/// `hosts-client watch --settle 1s` running (in a namespace, by `prefix`) until ``stop()``; ``said(_:)`` reads
/// what it has printed so far. `--every 1h`: only a move makes it measure the rules again during a test (a
/// periodic round could land inside a flap, or apply a move the move detection missed).
final class RunningWatch {
    let launched: ClientSandbox.Launched

    init(_ sandbox: ClientSandbox, prefix: [String]) throws {
        launched = try sandbox.launch(["watch", "--settle", "1s", "--every", "1h"], prefix: prefix)
    }

    func said(_ text: String) -> Bool {
        ((try? String(contentsOfFile: launched.stdoutPath, encoding: .utf8)) ?? "").contains(text)
    }

    func stop() {
        if launched.process.isRunning { kill(launched.process.processIdentifier, SIGKILL) }
        launched.process.waitUntilExit()
    }
}
