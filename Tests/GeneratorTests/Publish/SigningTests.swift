import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Generator

/// `keygen` and `signing-key:`: what the generator publishes next to each profile.
@Suite struct SigningTests {
    func rendered(_ content: String) -> [RenderedProfile] {
        [RenderedProfile(name: "office", description: nil, content: content, entries: 1, stats: [:], duplicates: [])]
    }

    func signature(_ publisher: Publisher) throws -> ProfileSignature {
        try ProfileSignature.decode(Data(contentsOf: URL(fileURLWithPath: publisher.signaturePath(of: "office"))))
    }

    @Test func serialRisesOnlyWithTheContentButEveryPassIsResigned() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let key = SigningKey()
        let publisher = Publisher(
            directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 1), force: .none,
            signer: ProfileSigner(key: key))
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let first = rendered("10.0.0.1 a\n")
        try publisher.publish(first, at: t0)
        var signed = try signature(publisher)
        #expect(signed.serial == 1)
        try signed.verify(
            content: Array("10.0.0.1 a\n".utf8), profile: "office", keys: [key.publicKey], minimumSerial: nil,
            maxAge: 60, now: t0)

        // Unchanged content: same serial, new signing time (a live feed never looks frozen).
        try publisher.publish(first, at: t0.addingTimeInterval(300))
        signed = try signature(publisher)
        #expect(signed.serial == 1)
        #expect(signed.signedAt == t0.addingTimeInterval(300))

        let second = rendered("10.0.0.2 a\n")
        try publisher.publish(second, at: t0.addingTimeInterval(600))
        signed = try signature(publisher)
        #expect(signed.serial == 2)
        #expect(signed.sha256 == SHA256Hex.of(Array("10.0.0.2 a\n".utf8)))
    }

    @Test func unsignedPassRemovesAStaleSignature() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let signing = Publisher(
            directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 1), force: .none,
            signer: ProfileSigner(key: SigningKey()))
        let first = rendered("10.0.0.1 a\n")
        try signing.publish(first, at: Date())
        let unsigned = Publisher(directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 1), force: .none)
        // Same bytes: the signature still describes them and stays.
        try unsigned.publish(first, at: Date())
        #expect(FileManager.default.fileExists(atPath: unsigned.signaturePath(of: "office")))
        let second = rendered("10.0.0.2 a\n")
        try unsigned.publish(second, at: Date())
        #expect(!FileManager.default.fileExists(atPath: unsigned.signaturePath(of: "office")))
    }

    @Test func unreadablePreviousSignatureFailsBeforeWriting() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let publisher = Publisher(
            directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 1), force: .none,
            signer: ProfileSigner(key: SigningKey()))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: publisher.signaturePath(of: "office")))
        let profiles = rendered("10.0.0.1 a\n")
        #expect(throws: PublishError.self) {
            try publisher.publish(profiles, at: Date())
        }
        #expect(!FileManager.default.fileExists(atPath: publisher.path(of: "office")), "nothing published")
    }

    @Test func keygenWritesAPrivateKeyOnlyRootCanReadAndRefusesToOverwrite() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let out = folder.path + "/keys"
        let first = try GeneratorRun.run(["keygen", "--out", out])
        #expect(first.status == 0, "\(first.stderr)")
        let privatePath = out + "/pseudodns-signing.key"
        let mode = try FileManager.default.attributesOfItem(atPath: privatePath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let key = try SigningKey(contentsOf: privatePath)
        let printed = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed == key.publicKey.base64)
        #expect(folder.read("keys/pseudodns-signing.pub")?.trimmingCharacters(in: .whitespacesAndNewlines) == printed)

        let again = try GeneratorRun.run(["keygen", "--out", out])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already exists"))
        #expect(try SigningKey(contentsOf: privatePath).base64 == key.base64, "old key kept")
        let forced = try GeneratorRun.run(["keygen", "--out", out, "--force"])
        #expect(forced.status == 0)
        #expect(try SigningKey(contentsOf: privatePath).base64 != key.base64)
    }

    @Test func signingKeyIsResolvedAgainstTheConfigFile() throws {
        let config = try ConfigLoader(path: "/etc/pseudodns/profiles.yml").parse(
            """
            sources: [{name: tokyo, region: ap-northeast-1}]
            profiles: [{name: office, prefixes: [p], address: private}]
            signing-key: keys/pseudodns-signing.key
            """)
        #expect(config.signingKey == "/etc/pseudodns/keys/pseudodns-signing.key")
    }
}
