import Testing

@testable import HostsCore

@Suite struct HostsRendererTests {
    func entry(_ address: String, _ names: String..., comment: String? = nil) -> HostsEntry {
        HostsEntry(address: IPAddress(address)!, hostnames: names.map { Hostname($0)! }, comment: comment)
    }

    @Test func sortsGroupsAndAligns() {
        let text = HostsRenderer.render(
            [
                entry("10.0.0.10", "b"), entry("::1", "localhost6"), entry("10.0.0.9", "a"),
                entry("10.0.0.10", "c", "b"), entry("192.168.100.200", "far", comment: "dc"),
            ], header: ["profile office", ""])
        #expect(
            text == """
                # profile office
                #
                10.0.0.9        a
                10.0.0.10       b c
                192.168.100.200 far  # dc
                ::1             localhost6

                """)
    }

    @Test func sameEntriesInAnyOrderGiveTheSameBytes() {
        var entries = (0..<200).map { entry("10.0.\($0 % 7).\($0)", "host\($0)") }
        let first = HostsRenderer.render(entries)
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<5 {
            entries.shuffle(using: &generator)
            #expect(HostsRenderer.render(entries) == first)
        }
    }

    @Test func renderedOutputReparsesToTheSameMapping() throws {
        let entries = [entry("10.0.0.1", "a", "b"), entry("fe80::1%eth0", "link")]
        let reparsed = try StrictParser.parse(Array(HostsRenderer.render(entries).utf8), source: "render")
        #expect(reparsed.map(\.address) == entries.map(\.address))
        #expect(reparsed.map(\.hostnames) == entries.map(\.hostnames))
    }

    @Test func longGroupsKeepFirstSeenOrderWithoutRepeats() {
        let names = (0..<40).map { "n\($0)" }
        let entries = [
            entry("10.0.0.1", "z"),
            HostsEntry(address: IPAddress("10.0.0.1")!, hostnames: (names + names.reversed()).map { Hostname($0)! }),
            entry("10.0.0.1", "n3", "z", "tail"),
        ]
        #expect(HostsRenderer.render(entries) == "10.0.0.1 " + (["z"] + names + ["tail"]).joined(separator: " ") + "\n")
    }
}
