import Testing

@testable import HostsCore

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("0.0.0.0", "0.0.0.0"), ("127.0.0.1", "127.0.0.1"), ("255.255.255.255", "255.255.255.255"),
        ("10.0.10.1", "10.0.10.1"), ("192.168.0.100", "192.168.0.100"),
    ])
    func acceptsDottedQuads(text: String, canonical: String) throws {
        let address = try IPAddress(parsing: text)
        #expect(address.family == .v4)
        #expect(address.description == canonical)
    }

    @Test(arguments: [
        ("010.1.1.1", "leading zero"), ("1.1.1.01", "leading zero"), ("256.1.1.1", "over 255"),
        ("1.1.1.999", "over 255"), ("1.1.1", "exactly four parts"), ("1.1.1.1.1", "exactly four parts"),
        ("1..1.1", "empty octet"), ("1.1.1.", "empty octet"), ("0x7f.0.0.1", "only digits and dots"),
        ("127.1", "exactly four parts"), ("1.2.3.4a", "only digits and dots"), ("-1.2.3.4", "only digits"),
        ("１.2.3.4", "only digits and dots"), ("", "empty"),
    ])
    func rejectsAmbiguousIPv4(text: String, reason: String) {
        #expect {
            try IPAddress(parsing: text)
        } throws: { error in
            (error as? AddressError)?.reason.contains(reason) == true
        }
    }

    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("1::", "1::"),
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"), ("2001:DB8::0001", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
        ("::ffff:192.0.2.128", "::ffff:192.0.2.128"), ("::FFFF:c000:0280", "::ffff:192.0.2.128"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"), ("::192.0.2.1", "::c000:201"),
        ("fe80::1%eth0", "fe80::1%eth0"), ("fe80::1%en0.100", "fe80::1%en0.100"),
        ("fe80::1%wlp0s20f3.4094", "fe80::1%wlp0s20f3.4094"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
    ])
    func acceptsEveryIPv6FormAndPrintsRFC5952(text: String, canonical: String) throws {
        let address = try IPAddress(parsing: text)
        #expect(address.family == .v6)
        #expect(address.description == canonical)
        #expect(try IPAddress(parsing: address.description) == address, "canonical form reparses to the same address")
    }

    @Test(arguments: [
        ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", ":1::",
        "1:", "::1:", "1:2:3:4:5:6:7:8::", "::1.2.3", "::1.2.3.4:5", "::256.1.1.1", "fe80::1%", "fe80::1%e th",
        "fe80::1%" + String(repeating: "a", count: 16),
        "1:2:3:4:5:6:1.2.3.4:1",
    ])
    func rejectsMalformedIPv6(text: String) {
        #expect(throws: AddressError.self) { try IPAddress(parsing: text) }
    }

    @Test func ordersIPv4BeforeIPv6Numerically() throws {
        let texts = ["::1", "10.0.0.10", "10.0.0.9", "9.255.255.255", "2001:db8::1", "fe80::1", "1.2.3.4"]
        let sorted = texts.compactMap(IPAddress.init).sorted().map(\.description)
        #expect(sorted == ["1.2.3.4", "9.255.255.255", "10.0.0.9", "10.0.0.10", "::1", "2001:db8::1", "fe80::1"])
    }

    @Test func equalAddressesInDifferentSpellingsAreEqual() throws {
        #expect(IPAddress("2001:db8::1") == IPAddress("2001:0DB8:0:0:0:0:0:0001"))
        #expect(IPAddress("fe80::1%eth0") != IPAddress("fe80::1"))
        #expect(IPAddress("1.2.3.4")?.bytes == [1, 2, 3, 4])
    }
}
