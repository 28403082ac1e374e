import Foundation
import Testing

@testable import HostsCore

@Suite struct ProfileIndexTests {
    @Test func roundTripsWithSnakeCaseKeysAndSortedProfiles() throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let index = ProfileIndex(profiles: [
            ProfileRecord(
                name: "remote", sha256: SHA256Hex.of(Array("b".utf8)), bytes: 1, entries: 0, generatedAt: date,
                changedAt: date),
            ProfileRecord(
                name: "office", description: "public", sha256: SHA256Hex.of([]), bytes: 0, entries: 0,
                generatedAt: date, changedAt: date),
        ])
        #expect(index.profiles.map(\.name) == ["office", "remote"])
        let data = try index.encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"generated_at\" : \"2027-01-15T08:00:00Z\""))
        #expect(text.contains("\"changed_at\""))
        #expect(try ProfileIndex.decode(data) == index)
        #expect(try index.encoded() == data, "deterministic")
    }

    @Test func viewsRoundTripAndAnOldIndexHasNone() throws {
        let view = ViewRecord(
            name: "auto",
            choose: [
                ViewChoice(
                    profile: "office", from: [try CIDR(parsing: "203.0.113.0/24"), try CIDR(parsing: "fd00::/8")]),
                ViewChoice(profile: "remote"),
            ])
        try view.validate(profiles: ["office", "remote"])
        let index = ProfileIndex(profiles: [], views: [view])
        #expect(try ProfileIndex.decode(try index.encoded()).views == [view])
        #expect(try ProfileIndex.decode(Data(#"{"profiles": []}"#.utf8)).views == [])
        let badRange =
            #"{"profiles": [], "views": [{"name": "a", "choose": [{"profile": "p", "from": ["10.0.0.0/40"]}]}]}"#
        #expect(throws: (any Error).self) { try ProfileIndex.decode(Data(badRange.utf8)) }
        #expect(view.profile(for: IPAddress("fd12::1")) == "office")
        #expect(
            view.profile(for: IPAddress("::ffff:203.0.113.1")) == "remote", "a mapped address is the caller's to unmap")
    }

    @Test func hashesAreLowercaseHex() {
        #expect(SHA256Hex.of([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Hex.of(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: [
        ("office", true), ("remote-2", true), ("0", true), ("Office", false), ("-x", false), ("a/b", false),
        ("..", false), ("", false), ("a.hosts", false), (String(repeating: "a", count: 64), false),
    ])
    func profileNames(name: String, valid: Bool) {
        #expect(ProfileName.isValid(name) == valid)
    }
}
