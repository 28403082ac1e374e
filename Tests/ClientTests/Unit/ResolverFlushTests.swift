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

    @Test func aHostsFileOtherThanTheSystemsIsNotFlushedAndStatusSaysWhy() {
        let report = ResolverFlush(afterApply: nil, hostsFile: "/tmp/hosts", isSystemHostsFile: false).run()
        #expect(report.steps.isEmpty)
        #expect(report.summary == "none: resolvers read /etc/hosts, not /tmp/hosts")
        let hook = ResolverFlush(afterApply: "exit 3", hostsFile: "/tmp/hosts", isSystemHostsFile: false).run()
        #expect(hook.summary == "after-apply 'exit 3' FAILED with status 3")
    }
}
