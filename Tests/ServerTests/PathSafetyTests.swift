import Foundation
import TestSupport
import Testing

@testable import Server

@Suite struct PathSafetyTests {
    @Test func traversalAndSymlinksNameNothing() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        // A link planted in the directory, to a readable file outside that is a valid hosts file: never served
        // (links inside the directory are: PublishedDirectoryTests).
        let outside = try PublishedFixture()
        defer { outside.remove() }
        try outside.publish("secret.hosts", "10.9.9.9 secret\n")
        #expect(symlink("\(outside.path)/secret.hosts", "\(fixture.path)/evil.hosts") == 0)
        #expect(symlink(outside.path, "\(fixture.path)/linkdir") == 0)
        #expect(symlink("/etc/hostname", "\(fixture.path)/host.hosts") == 0)

        try await fixture.withServer { _, port in
            let targets = [
                "/profiles/evil", "/profiles/host", "/profiles/linkdir", "/profiles/linkdir/secret",
                "/profiles/../index.json", "/profiles/..%2Findex.json", "/profiles/%2e%2e/%2e%2e/etc/passwd",
                "/profiles/..", "/profiles/office.hosts", "/profiles/office/", "/profiles//office",
                "/office.hosts", "/index.json", "/../../../../etc/passwd", "/profiles/%6ffice",
                "/profiles/OFFICE", "/profiles/office%00",
            ]
            for target in targets {
                let response = try await RawHTTPClient.request("GET", target, port: port)
                #expect(response.status == 404 || response.status == 400, "\(target)")
                #expect(!response.text.contains("secret"), "\(target)")
                #expect(!response.text.contains("root:"), "\(target)")
            }
            // A query string does not change what a path names.
            let query = try await RawHTTPClient.request("GET", "/profiles/office?x=1", port: port)
            #expect(query.body == Array(SampleProfiles.office.utf8))

            let index = try await RawHTTPClient.request("GET", "/profiles", port: port)
            #expect(!index.text.contains("evil"))
            #expect(!index.text.contains("secret"))
        }
    }

    @Test func openingALinkIsRefusedEvenIfTheListingRaced() throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        #expect(symlink("/etc/hostname", "\(fixture.path)/swap.hosts") == 0)
        #expect(throws: DirectoryError.self) { try PublishedDirectory(path: fixture.path).read("swap.hosts") }
    }
}
