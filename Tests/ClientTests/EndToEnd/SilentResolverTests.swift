import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A hostile network's DNS that never answers: a fetch and a `reachable=` canary end at the client's own timeout,
/// not when getaddrinfo gives up (which resolv.conf can make 150 s: `timeout:30 attempts:5`). The client runs in a
/// network namespace the test makes (its own loopback), where a private mount namespace puts a resolv.conf naming a
/// resolver on 127.0.0.1 that swallows every query, UDP and TCP.
@Suite(.serialized) struct SilentResolverTests {
    static let swallower = """
        import select, socket, sys, time
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 53))
        tcp = socket.socket(); tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", 53)); tcp.listen(16)
        print("ready", flush=True)
        held, end = [], time.time() + 300
        while time.time() < end:
            ready, _, _ = select.select([udp, tcp], [], [], 1)
            for sock in ready:
                if sock is udp: udp.recvfrom(4096)
                else: held.append(tcp.accept()[0])
        """

    @Test(.enabled(if: NetworkLab.available, "needs root and iproute2"))
    func fetchesAndCanariesEndAtTheClientsTimeout() throws {
        let sandbox = try ClientSandbox()
        let namespace = "pdns-dns-\(getpid())"
        try NetworkLab.ip(["netns", "add", namespace])
        defer { _ = try? NetworkLab.ip(["netns", "del", namespace], check: false) }
        try NetworkLab.ip(["-n", namespace, "link", "set", "lo", "up"])
        let resolvConf = sandbox.root + "/resolv.conf"
        try "nameserver 127.0.0.1\noptions timeout:30 attempts:5\n".write(
            toFile: resolvConf, atomically: true, encoding: .utf8)
        let script = sandbox.root + "/swallow.py"
        try Self.swallower.write(toFile: script, atomically: true, encoding: .utf8)
        let swallowerOut = sandbox.root + "/swallow.out"
        _ = FileManager.default.createFile(atPath: swallowerOut, contents: nil)
        let dns = Process()
        dns.executableURL = URL(fileURLWithPath: NetworkLab.ipPath)
        dns.arguments = ["netns", "exec", namespace, "/usr/bin/python3", script]
        dns.standardOutput = FileHandle(forWritingAtPath: swallowerOut)
        dns.standardError = FileHandle.nullDevice
        try dns.run()
        defer {
            kill(dns.processIdentifier, SIGKILL)
            dns.waitUntilExit()
        }
        let ready = Date().addingTimeInterval(30)
        while Date() < ready, dns.isRunning,
            !((try? String(contentsOfFile: swallowerOut, encoding: .utf8)) ?? "").contains("ready")
        {
            usleep(20_000)
        }
        #expect(((try? String(contentsOfFile: swallowerOut, encoding: .utf8)) ?? "").contains("ready"))

        // The client in the namespace, /etc/resolv.conf replaced in a mount namespace of its own; killed at 120 s.
        // The bound below is far from the 2 s asked, and below what the resolver holds a lookup here (the client
        // that waited for it took about 45 s a command).
        let prefix = [
            "/usr/bin/timeout", "-s", "KILL", "120", NetworkLab.ipPath, "netns", "exec", namespace, "/usr/bin/unshare",
            "-m", "/bin/sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", resolvConf,
        ]
        try sandbox.succeed(["config", "timeout", "2s"])
        let started = Date()
        let add = try sandbox.run(
            ["add", "corp", "--url", "http://hosts.corp.example/profiles/office"], prefix: prefix)
        let fetchTook = Date().timeIntervalSince(started)
        #expect(add.status == 1, "\(add.status): \(add.stderr)")
        #expect(add.stderr.contains("timed out after 2s"), "\(add.stderr)")
        #expect(fetchTook < 25, "the fetch took \(fetchTook) s")

        let local = sandbox.root + "/local.hosts"
        try "10.0.0.5 db.corp\n".write(toFile: local, atomically: true, encoding: .utf8)
        // In the namespace too: nothing of this test asks the machine's own resolver.
        let added = try sandbox.run(
            ["add", "office", "--local", "--from", local, "--when", "reachable=http://canary.corp.example/"],
            prefix: prefix)
        #expect(added.status == 0, "\(added.status): \(added.stderr)")
        let probing = Date()
        let status = try sandbox.run(["status"], prefix: prefix)
        let canaryTook = Date().timeIntervalSince(probing)
        #expect(status.status == 0, "\(status.status): \(status.stderr)")
        #expect(status.stdout.contains("does not hold (timed out after 2s"), "\(status.stdout)")
        #expect(canaryTook < 25, "the canary took \(canaryTook) s")
    }
}
