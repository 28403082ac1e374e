import Foundation
import Testing

@testable import HostsCore

@Suite struct ProfileSignatureTests {
    let key = SigningKey()
    let content = Array("10.0.0.1 web\n".utf8)
    let now = Date(timeIntervalSince1970: 1_900_000_000)

    func signed(_ content: [UInt8], profile: String = "office", serial: UInt64 = 5, at date: Date? = nil) throws
        -> ProfileSignature
    {
        try ProfileSignature.sign(profile: profile, content: content, serial: serial, at: date ?? now, key: key)
    }

    func verify(
        _ signature: ProfileSignature, _ content: [UInt8], profile: String = "office", keys: [VerifyingKey]? = nil,
        minimumSerial: UInt64? = nil, maxAge: TimeInterval = 3600
    ) -> TrustError? {
        do {
            try signature.verify(
                content: content, profile: profile, keys: keys ?? [key.publicKey], minimumSerial: minimumSerial,
                maxAge: maxAge, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func validSignatureVerifiesAfterAJSONRoundTrip() throws {
        let signature = try ProfileSignature.decode(try signed(content).encoded())
        #expect(verify(signature, content) == nil)
        #expect(signature.keyID == key.publicKey.keyID)
    }

    @Test func everyCheckRefusesItsCase() throws {
        let signature = try signed(content)
        #expect(verify(signature, Array("10.6.6.6 web\n".utf8)) == .digestMismatch)
        #expect(verify(signature, content, profile: "remote") == .wrongProfile(expected: "remote", signed: "office"))
        #expect(verify(signature, content, keys: [SigningKey().publicKey]) == .badSignature(keyID: key.publicKey.keyID))
        #expect(verify(signature, content, minimumSerial: 6) == .rollback(serial: 5, lastAccepted: 6))
        #expect(verify(signature, content, minimumSerial: 5) == nil, "the same serial again is fine (unchanged)")
        let old = try signed(content, at: now.addingTimeInterval(-7200))
        #expect(verify(old, content) == .expired(signedAt: old.signedAt, maxAge: 3600))
        var forged = signature
        forged.serial = 99
        #expect(
            verify(forged, content) == .badSignature(keyID: key.publicKey.keyID), "fields are covered by the signature")
        #expect(throws: TrustError.self) { try ProfileSignature.decode(Data("<html>".utf8)) }
    }

    @Test func rotationAcceptsAnyPinnedKey() throws {
        let next = SigningKey()
        let signature = try ProfileSignature.sign(profile: "office", content: content, serial: 6, at: now, key: next)
        #expect(verify(signature, content, keys: [key.publicKey, next.publicKey]) == nil)
        #expect(verify(signature, content, keys: [key.publicKey]) != nil)
    }

    @Test func keysRoundTripThroughBase64() throws {
        #expect(try SigningKey(base64: key.base64).publicKey == key.publicKey)
        #expect(try VerifyingKey(base64: key.publicKey.base64 + "\n") == key.publicKey)
        #expect(throws: TrustError.self) { try VerifyingKey(base64: "not a key") }
    }
}

@Suite struct SegmentPolicyTests {
    func entries(_ text: String) throws -> [HostsEntry] {
        try StrictParser.parse(Array(text.utf8), source: "policy")
    }

    @Test func dropsNamesAndAddressesOutsideThePolicy() throws {
        let policy = try SegmentPolicy(
            allowNames: "*.corp.example, *.internal,gw", allowAddresses: "10.0.0.0/8,2001:db8::/32")
        let (kept, dropped) = policy.apply(
            to: try entries(
                """
                10.1.2.3 db.corp.example www.mybank.com
                10.1.2.4 corp.example
                203.0.113.9 mail.corp.example
                2001:db8::5 api.internal gw
                2001:db9::5 api2.internal
                """))
        #expect(
            kept.map { "\($0.address) \($0.hostnames.map(\.value))" } == [
                "10.1.2.3 [\"db.corp.example\"]", "2001:db8::5 [\"api.internal\", \"gw\"]",
            ])
        #expect(dropped.map(\.line) == [1, 2, 3, 5])
        #expect(dropped[0].names == ["www.mybank.com"])
        #expect(dropped[2].reason.contains("address"))
    }

    @Test func cidrEdges() throws {
        #expect(try CIDR(parsing: "10.0.0.0/8").contains(IPAddress("10.255.255.255")!))
        #expect(try !CIDR(parsing: "10.0.0.0/8").contains(IPAddress("11.0.0.0")!))
        #expect(try CIDR(parsing: "192.168.1.128/25").contains(IPAddress("192.168.1.200")!))
        #expect(try !CIDR(parsing: "192.168.1.128/25").contains(IPAddress("192.168.1.127")!))
        #expect(try CIDR(parsing: "0.0.0.0/0").contains(IPAddress("8.8.8.8")!))
        #expect(try !CIDR(parsing: "0.0.0.0/0").contains(IPAddress("::1")!), "families never match")
        #expect(try CIDR(parsing: "10.0.0.1").contains(IPAddress("10.0.0.1")!))
        #expect(throws: AddressError.self) { try CIDR(parsing: "10.0.0.0/33") }
        #expect(throws: PolicyError.self) { try SegmentPolicy(allowNames: "bad/name", allowAddresses: nil) }
        // Segments may hold underscore names (permissive rules), so a policy may name them.
        #expect(try SegmentPolicy(allowNames: "db_name", allowAddresses: nil).names.map(\.description) == ["db_name"])
    }
}
