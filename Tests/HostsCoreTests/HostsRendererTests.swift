import Foundation
import TestSupport
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

    /// One long address must not pad every other line: names align at most after the longest IPv6 address
    /// without a zone (39 bytes); a longer (zoned) one is followed by one space. Before, one 4 KB zone made each of
    /// 50,000 lines 4 KB long (a 1.3 MB segment became a 204 MB hosts file).
    @Test func oneLongAddressDoesNotPadTheOthers() throws {
        let zoned = "fe80:ffff:ffff:ffff:ffff:ffff:ffff:ffff%wlp0s20f3.4094"
        let text = HostsRenderer.render([entry("10.0.0.1", "a"), entry(zoned, "link"), entry("1:2:3:4:5:6:7:8", "b")])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "10.0.0.1" + String(repeating: " ", count: 39 - 8 + 1) + "a")
        #expect(lines[1] == "1:2:3:4:5:6:7:8" + String(repeating: " ", count: 39 - 15 + 1) + "b")
        #expect(lines[2] == zoned + " link")
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
        let all = ["z"] + names + ["tail"]
        let expected = stride(from: 0, to: all.count, by: 9).map {
            "10.0.0.1 " + all[$0..<min($0 + 9, all.count)].joined(separator: " ") + "\n"
        }.joined()
        #expect(HostsRenderer.render(entries) == expected)
    }

    /// Every line a resolver can read: at most 9 names (Windows) and 1,024 bytes, the same bytes for the same
    /// entries in any order, and the strict parser (the client's read-back) takes all of it.
    @Test(arguments: [1, 9, 10, 60_000])
    func linesStayWithinNineNamesAndOneKilobyte(count: Int) throws {
        var entries = (0..<count).map { entry("0.0.0.0", "ad\($0).example") }
        entries.append(entry("10.0.0.1", "web", comment: String(repeating: "ü", count: 700)))
        // Nine names of 253 characters would be 2.3 kB: the byte limit splits before the name limit.
        let long = (0..<9).map { "l\($0)".padding(toLength: 60, withPad: "x", startingAt: 0) }
            .map { [$0, $0, $0, $0].joined(separator: ".") }
        entries.append(HostsEntry(address: IPAddress("fd00::1")!, hostnames: long.map { Hostname($0 + ".ex")! }))
        let text = HostsRenderer.render(entries)
        let lines = text.utf8.split(separator: 0x0A)
        #expect(lines.allSatisfy { $0.count <= HostsRenderer.maxLineBytes - 2 }, "longest \(lines.map(\.count).max()!)")
        let parsed = try StrictParser.parse(Array(text.utf8), source: "render")
        #expect(parsed.allSatisfy { $0.hostnames.count <= 9 })
        #expect(
            parsed.filter { $0.address == IPAddress("0.0.0.0")! }.flatMap(\.hostnames)
                == entries.prefix(count).flatMap(\.hostnames))
        #expect(parsed.first { $0.address == IPAddress("10.0.0.1")! }?.comment?.hasPrefix("üü") == true)
        #expect(parsed.filter { $0.address == IPAddress("fd00::1")! }.flatMap(\.hostnames).count == 9)
        #expect(try HostsLines(parsing: Array(text.utf8), source: "read back").count == parsed.count)
        #expect(HostsRenderer.render(parsed) == text, "what was read back renders to the same bytes")
    }
}
