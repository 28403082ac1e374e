import Foundation
import TestSupport
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

/// The published directory as deployments present it: Kubernetes ConfigMap-style `..data` links are
/// served and their atomic swap picked up; whatever else is not a regular file inside the directory, and
/// empty or misnamed profiles, are kept out (the last good version served) and named in /healthz, which
/// never shows a filesystem path.
@Suite struct PublishedDirectoryTests {
    /// `office.hosts -> ..data/office.hosts`, `..data -> ..2026_12_01_01`, then the swap kubelet does: a new
    /// timestamped directory, a new link renamed over `..data`, the old directory removed.
    @Test func configMapLinksAreServedAndTheirSwapIsPickedUp() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let first = try ConfigMapVolume(
            fixture.path, version: "..2026_12_01_01", files: ["office.hosts": SampleProfiles.office])
        try first.link(["office.hosts"])
        // An absolute link whose target is inside the directory is inside, too.
        #expect(symlink("\(fixture.path)/..data/office.hosts", "\(fixture.path)/absolute.hosts") == 0)

        try await fixture.withServer { _, port in
            let served = try await RawHTTPClient.request("GET", "/profiles/office", port: port)
            #expect(served.status == 200)
            #expect(served.body == Array(SampleProfiles.office.utf8))
            #expect(try await RawHTTPClient.request("GET", "/profiles/absolute", port: port).status == 200)
            let health = try await ReloadTests.health(port)
            #expect(health.status == "ok", "\(health.errors)")

            let second = try ConfigMapVolume(
                fixture.path, version: "..2026_12_01_02", files: ["office.hosts": SampleProfiles.officeV2])
            try second.swapData(removing: first)
            #expect(
                await eventually {
                    (try? await RawHTTPClient.request("GET", "/profiles/office", port: port).body)
                        == Array(SampleProfiles.officeV2.utf8)
                })
            #expect(try await ReloadTests.health(port).status == "ok")
        }
    }

    /// Each kind of bad file replaces a served profile: it is reported, the good version stays, and a fixed
    /// file is served again. The server never blocks on the FIFO.
    @Test(arguments: BadEntry.allCases)
    func aBadFileIsReportedAndTheLastGoodVersionServed(_ bad: BadEntry) async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        let outside = try PublishedFixture()
        defer { outside.remove() }
        try outside.publish("secret.hosts", "10.9.9.9 secret\n")
        try fixture.publish("office.hosts", SampleProfiles.office)

        try await fixture.withServer { _, port in
            #expect(try await RawHTTPClient.request("GET", "/profiles/office", port: port).status == 200)
            try bad.plant(at: "\(fixture.path)/office.hosts", outside: outside.path)
            let reported = await eventually {
                (try? await ReloadTests.health(port).errors.contains { $0.file == "office.hosts" }) == true
            }
            #expect(reported)
            let health = try await ReloadTests.health(port)
            #expect(health.status == "degraded")
            let issue = health.errors.first { $0.file == "office.hosts" }
            #expect(issue?.reason.contains(bad.expectedReason) == true, "\(health.errors)")
            let raw = try await RawHTTPClient.request("GET", "/healthz", port: port).text
            #expect(!raw.contains(fixture.path) && !raw.contains(outside.path), "\(raw)")

            let kept = try await RawHTTPClient.request("GET", "/profiles/office", port: port)
            #expect(kept.status == 200)
            #expect(kept.body == Array(SampleProfiles.office.utf8))
            #expect(!kept.text.contains("secret"))

            // Fixed: served, and the error is gone. (Waiting for "ok" alone raced: a poll between the unlink and
            // the publish sees no file, no error, and the profile not served yet.)
            unlink("\(fixture.path)/office.hosts")
            try fixture.publish("office.hosts", SampleProfiles.officeV2)
            let fixed = await eventually {
                (try? await RawHTTPClient.request("GET", "/profiles/office", port: port).body)
                    == Array(SampleProfiles.officeV2.utf8)
            }
            #expect(fixed)
            #expect(try await ReloadTests.health(port).status == "ok")
        }
    }

    enum BadEntry: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case fifo, characterDevice, linkOutside, linkToDevice, danglingLink, linkLoop, empty, onlyComments

        var testDescription: String { rawValue }

        var expectedReason: String {
            switch self {
            case .fifo: "a FIFO"
            case .characterDevice: "a character device"
            case .linkOutside, .linkToDevice: "leads outside the published directory"
            case .danglingLink: "a symlink to nothing"
            case .linkLoop: "a symlink loop"
            case .empty, .onlyComments: "no entries"
            }
        }

        func plant(at path: String, outside: String) throws {
            let temporary = path + ".new"
            unlink(temporary)
            switch self {
            case .fifo: try check(mkfifo(temporary, 0o644), "mkfifo")
            // /dev/null's numbers, 1:3, as Linux encodes them in a dev_t.
            case .characterDevice: try check(mknod(temporary, S_IFCHR | 0o644, dev_t(1 << 8 | 3)), "mknod")
            case .linkOutside: try check(symlink("\(outside)/secret.hosts", temporary), "symlink")
            case .linkToDevice: try check(symlink("/dev/zero", temporary), "symlink")
            case .danglingLink: try check(symlink("missing.hosts", temporary), "symlink")
            case .linkLoop:
                try check(symlink("loop-b", (path as NSString).deletingLastPathComponent + "/loop-a"), "symlink")
                try check(symlink("loop-a", (path as NSString).deletingLastPathComponent + "/loop-b"), "symlink")
                try check(symlink("loop-a", temporary), "symlink")
            case .empty: try Data().write(to: URL(fileURLWithPath: temporary))
            case .onlyComments: try Data("# nothing yet\n\n".utf8).write(to: URL(fileURLWithPath: temporary))
            }
            try check(rename(temporary, path), "rename")
        }

        private func check(_ result: Int32, _ call: String) throws {
            if result != 0 { throw CocoaError(.fileWriteUnknown, userInfo: [NSDebugDescriptionErrorKey: call]) }
        }
    }

    /// What is only named wrong, or a signature that is no file: reported, never served, the rest served.
    @Test func misnamedProfilesAndBadSignaturesAreReported() throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try fixture.publish("Upper.hosts", SampleProfiles.office)
        try fixture.publish("-dash.hosts", SampleProfiles.office)
        try fixture.publish("under_score.hosts.sig", "{}")
        try fixture.publish("notes.txt", "hello")
        try fixture.publish(".office.hosts.1234.tmp", "a writer's temporary file")
        #expect(mkfifo("\(fixture.path)/office.hosts.sig", 0o644) == 0)
        #expect(symlink("office.hosts", "\(fixture.path)/alias.hosts") == 0)
        #expect(mkdir("\(fixture.path)/dir.hosts", 0o755) == 0)

        var loader = SnapshotLoader(directory: PublishedDirectory(path: fixture.path))
        let loaded = loader.reload(from: .empty)
        let snapshot = try #require(loaded)
        #expect(snapshot.profiles.keys.sorted() == ["alias", "office"])
        #expect(snapshot.signatures.isEmpty)
        #expect(
            snapshot.issues.map(\.file) == [
                "-dash.hosts", "Upper.hosts", "dir.hosts", "office.hosts.sig", "under_score.hosts.sig",
            ])
        #expect(snapshot.issues.first?.reason.contains("not a valid profile name") == true)
        #expect(snapshot.issues[2].reason.contains("a directory"))
        #expect(snapshot.issues[3].reason.contains("a FIFO"))
        let again = loader.reload(from: snapshot)
        #expect(again == nil, "nothing changed: no new snapshot")
    }

    /// Run as an unprivileged user (root reads anything): a signature it cannot read is reported and the
    /// one served before stays.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs setpriv"))
    func anUnreadableSignatureIsReportedAndTheLastGoodOneServed() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try fixture.publish("office.hosts.sig", #"{"first":true}"#)
        let server = try await offThePool {
            try HostsServerProcess(directory: fixture.path, unprivileged: true)
        }
        defer { server.stop() }
        let port = server.port
        #expect(try await RawHTTPClient.request("GET", "/profiles/office.sig", port: port).text == #"{"first":true}"#)

        // A new version, unreadable from the start (mode 000), renamed into place.
        let temporary = "\(fixture.path)/.office.hosts.sig.tmp"
        try Data(#"{"second":true}"#.utf8).write(to: URL(fileURLWithPath: temporary))
        #expect(chmod(temporary, 0) == 0)
        #expect(rename(temporary, "\(fixture.path)/office.hosts.sig") == 0)
        #expect(
            await eventually {
                (try? await RawHTTPClient.request("GET", "/healthz", port: port).text.contains("office.hosts.sig"))
                    == true
            })
        let health = try await RawHTTPClient.request("GET", "/healthz", port: port).text
        #expect(health.contains("Permission denied"), "\(health)")
        #expect(!health.contains(fixture.path))
        #expect(try await RawHTTPClient.request("GET", "/profiles/office.sig", port: port).text == #"{"first":true}"#)
    }

    @Test func anEmptyOrMissingTokenFileIsReportedWithoutItsPath() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        let secrets = try PublishedFixture()
        defer { secrets.remove() }
        try secrets.publish("tokens", "# none yet\n\n")
        var options = fixture.options()
        options.tokenFile = "\(secrets.path)/tokens"
        try await fixture.withServer(options) { _, port in
            let empty = try await ReloadTests.health(port)
            #expect(empty.status == "degraded")
            #expect(empty.errors.map(\.file) == ["token file"])
            #expect(empty.errors.first?.reason.contains("no tokens") == true)
            #expect(try await RawHTTPClient.request("GET", "/profiles/office", port: port).status == 401)

            try secrets.publish("tokens", "a-token\n")
            #expect(await eventually { (try? await ReloadTests.health(port).status) == "ok" })

            // Gone, then a FIFO: reported, the last tokens stay in force, nothing blocks.
            unlink("\(secrets.path)/tokens")
            #expect(await eventually { (try? await ReloadTests.health(port).status) == "degraded" })
            #expect(mkfifo("\(secrets.path)/tokens", 0o600) == 0)
            #expect(
                await eventually {
                    (try? await ReloadTests.health(port).errors.first?.reason.contains("not a regular file")) == true
                })
            let granted = try await RawHTTPClient.request(
                "GET", "/profiles/office", port: port, headers: [("Authorization", "Bearer a-token")])
            #expect(granted.status == 200)
            let raw = try await RawHTTPClient.request("GET", "/healthz", port: port).text
            #expect(!raw.contains(secrets.path) && !raw.contains(fixture.path), "\(raw)")
        }
    }
}

extension PublishedDirectoryTests {
    /// A Kubernetes Secret volume presents `--token-file` as `tokens -> ..data/tokens`, `..data -> ..2026_…`,
    /// rotated by renaming a new `..data` over the old: the links are followed to the file, a version whose
    /// file is a FIFO is refused without blocking, and the last tokens stay in force.
    @Test func aTokenFileBehindSecretVolumeLinksIsFollowedAndRotated() throws {
        let secrets = try PublishedFixture()
        defer { secrets.remove() }
        let first = try ConfigMapVolume(secrets.path, version: "..2026_12_01_01", files: ["tokens": "alpha-token\n"])
        try first.link(["tokens"])
        let store = try TokenStore(path: "\(secrets.path)/tokens")
        #expect(store.authorize("Bearer alpha-token") == .granted)

        let second = try ConfigMapVolume(secrets.path, version: "..2026_12_01_02", files: ["tokens": "beta-token\n"])
        try second.swapData(removing: first)
        #expect(store.reloadIfChanged())
        #expect(store.authorize("Bearer alpha-token") == .invalid)
        #expect(store.authorize("Bearer beta-token") == .granted)

        let third = try ConfigMapVolume(secrets.path, version: "..2026_12_01_03", files: [:])
        #expect(mkfifo("\(secrets.path)/\(third.version)/tokens", 0o600) == 0)
        try third.swapData(removing: second)
        #expect(!store.reloadIfChanged())
        #expect(store.issue?.reason.contains("not a regular file") == true, "\(String(describing: store.issue))")
        #expect(store.authorize("Bearer beta-token") == .granted)
    }
}

/// A Kubernetes ConfigMap volume's layout, built by hand: the files in a timestamped directory, `..data`
/// linking to it, and each published name linking through `..data`.
private struct ConfigMapVolume {
    let root: String
    let version: String

    init(_ root: String, version: String, files: [String: String]) throws {
        self.root = root
        self.version = version
        try FileManager.default.createDirectory(atPath: "\(root)/\(version)", withIntermediateDirectories: false)
        for (name, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(root)/\(version)/\(name)"))
        }
        if symlink(version, "\(root)/..data_tmp") != 0 || rename("\(root)/..data_tmp", "\(root)/..data") != 0 {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    func link(_ names: [String]) throws {
        for name in names where symlink("..data/\(name)", "\(root)/\(name)") != 0 {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// This version's `..data` is in place (the init renamed it); the old version's directory goes.
    func swapData(removing old: ConfigMapVolume) throws {
        try FileManager.default.removeItem(atPath: "\(root)/\(old.version)")
    }
}
