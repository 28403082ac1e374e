import Foundation
import Testing

@testable import Client

@Suite struct ResolverFlushTests {
    /// dnsmasq answers from /etc/hosts unless its command line or its configuration file says `no-hosts`.
    @Test func dnsmasqServesTheHostsFileUnlessToldNotTo() throws {
        let sandbox = try ClientSandbox()
        let conf = sandbox.root + "/dnsmasq.conf"
        try sandbox.write("port=53\n  no-hosts\n", to: conf)
        let other = sandbox.root + "/other.conf"
        try sandbox.write("port=53\n# no-hosts\n", to: other)
        #expect(ResolverFlush.servesHostsFile(["dnsmasq", "--keep-in-foreground", "--conf-file=\(other)"]))
        #expect(!ResolverFlush.servesHostsFile(["dnsmasq", "--no-hosts", "--conf-file=\(other)"]))
        #expect(!ResolverFlush.servesHostsFile(["dnsmasq", "-h", "-C\(other)"]))
        #expect(!ResolverFlush.servesHostsFile(["dnsmasq", "--conf-file=\(conf)"]))
        #expect(!ResolverFlush.servesHostsFile(["dnsmasq", "-C\(conf)"]))
        #expect(!ResolverFlush.servesHostsFile(["dnsmasq", "-C", conf]))
        #expect(ResolverFlush.servesHostsFile(["dnsmasq", "--conf-file", other]))
    }

    /// A dnsmasq configuration is read only when it is a plain file root controls, bounded: a FIFO, a device, a
    /// link, another user's file or one over 1 MiB count as silent (serving /etc/hosts) without being read.
    @Test func onlyAConfigurationRootControlsIsRead() throws {
        let sandbox = try ClientSandbox()
        let conf = sandbox.root + "/dnsmasq.conf"
        try sandbox.write("no-hosts\n", to: conf)
        #expect(ResolverFlush.trustedConfiguration(at: conf) == Array("no-hosts\n".utf8))
        let fifo = sandbox.root + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(ResolverFlush.trustedConfiguration(at: fifo, euid: 0) == nil)
        #expect(ResolverFlush.trustedConfiguration(at: "/dev/zero", euid: 0) == nil)
        let link = sandbox.root + "/link.conf"
        #expect(symlink(conf, link) == 0)
        #expect(ResolverFlush.trustedConfiguration(at: link, euid: 0) == nil)
        let big = sandbox.root + "/big.conf"
        try sandbox.write(String(repeating: "#\n", count: ResolverFlush.configurationLimit), to: big)
        #expect(ResolverFlush.trustedConfiguration(at: big, euid: 0) == nil)
        if geteuid() == 0 {
            #expect(chown(conf, 65534, 65534) == 0)
            #expect(ResolverFlush.trustedConfiguration(at: conf, euid: 0) == nil)
            #expect(ResolverFlush.servesHostsFile(["dnsmasq", "--conf-file=\(conf)"]), "another user's no-hosts")
        }
    }

    /// A process counts as dnsmasq (or systemd-resolved) only when its executable is the installed program: a
    /// copy of a system binary under that name elsewhere is not.
    @Test(.enabled(if: geteuid() == 0, "checks root-owned paths as root"))
    func onlyTheInstalledProgramCounts() throws {
        let sandbox = try ClientSandbox()
        let copy = sandbox.root + "/sleep"
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: copy)
        chmod(copy, 0o755)
        let real = Process()
        real.executableURL = URL(fileURLWithPath: "/bin/sleep")
        real.arguments = ["60"]
        let fake = Process()
        fake.executableURL = URL(fileURLWithPath: copy)
        fake.arguments = ["60"]
        try real.run()
        try fake.run()
        defer {
            real.terminate()
            fake.terminate()
        }
        #expect(ResolverFlush.trustedExecutable("/proc/\(real.processIdentifier)/exe", named: "sleep", euid: 0))
        #expect(!ResolverFlush.trustedExecutable("/proc/\(real.processIdentifier)/exe", named: "dnsmasq", euid: 0))
        #expect(!ResolverFlush.trustedExecutable("/proc/\(fake.processIdentifier)/exe", named: "sleep", euid: 0))
    }

    @Test func aHostsFileOtherThanTheSystemsIsNotFlushedAndStatusSaysWhy() {
        let report = ResolverFlush(afterApply: nil, hostsFile: "/tmp/hosts", isSystemHostsFile: false).run()
        #expect(report.steps.isEmpty)
        #expect(report.summary == "none: resolvers read /etc/hosts, not /tmp/hosts")
        let hook = ResolverFlush(afterApply: "exit 3", hostsFile: "/tmp/hosts", isSystemHostsFile: false).run()
        #expect(hook.summary == "after-apply 'exit 3' FAILED with status 3")
    }
}
