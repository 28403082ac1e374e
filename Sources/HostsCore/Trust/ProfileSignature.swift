import Crypto
import Foundation

/// `NAME.hosts.sig`: who vouches for which bytes of which profile, in which order, and when.
///
/// The Ed25519 signature covers a fixed text made of every field (see ``signedMessage``), not the JSON,
/// so no JSON canonicalisation is needed to verify it.
public struct ProfileSignature: Codable, Sendable, Equatable {
    public static let fileSuffix = ".hosts.sig"

    public var profile: String
    /// Lowercase hex SHA-256 of the exact bytes of `NAME.hosts`.
    public var sha256: String
    /// Rises each time the content changes; a client refuses a lower one (rollback).
    public var serial: UInt64
    /// Whole seconds, so the JSON round trip is exact; a client refuses one that is too old (freeze).
    public var signedAt: Date
    /// Hex of the first 8 bytes of the public key's SHA-256, to tell rotated keys apart.
    public var keyID: String
    /// Base64 Ed25519 signature over ``signedMessage``.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case profile, sha256, serial, signature
        case signedAt = "signed_at"
        case keyID = "key_id"
    }

    /// The exact bytes that are signed.
    public var signedMessage: Data {
        let time = Int64(signedAt.timeIntervalSince1970.rounded(.down))
        return Data(
            "pseudodns-profile-v1\nprofile=\(profile)\nsha256=\(sha256)\nserial=\(serial)\nsigned_at=\(time)\n".utf8)
    }

    /// Signs `content` as profile `profile`.
    public static func sign(
        profile: String, content: some Collection<UInt8>, serial: UInt64, at date: Date, key: SigningKey
    ) throws -> ProfileSignature {
        var document = ProfileSignature(
            profile: profile, sha256: SHA256Hex.of(content), serial: serial,
            signedAt: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)),
            keyID: key.publicKey.keyID, signature: "")
        document.signature = try key.privateKey.signature(for: document.signedMessage).base64EncodedString()
        return document
    }

    public static func decode(_ data: Data) throws(TrustError) -> ProfileSignature {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(ProfileSignature.self, from: data)
        } catch {
            throw .malformed("the signature file is not a PseudoDNS signature document")
        }
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Every check a pinned client makes, in order; the first that fails is thrown.
    /// - Parameters:
    ///   - minimumSerial: the last serial accepted for this segment, if any.
    ///   - maxAge: how old `signed_at` may be.
    public func verify(
        content: some Collection<UInt8>, profile expected: String, keys: [VerifyingKey], minimumSerial: UInt64?,
        maxAge: TimeInterval, now: Date = Date()
    ) throws(TrustError) {
        try verify(
            content: content, profiles: [expected], keys: keys, minimumSerial: minimumSerial, maxAge: maxAge, now: now)
    }

    /// The same checks, accepting a signature for any of `expected` (a view serves one of several profiles).
    public func verify(
        content: some Collection<UInt8>, profiles expected: [String], keys: [VerifyingKey], minimumSerial: UInt64?,
        maxAge: TimeInterval, now: Date = Date()
    ) throws(TrustError) {
        guard expected.contains(profile) else {
            throw .wrongProfile(expected: expected.joined(separator: "' or '"), signed: profile)
        }
        guard sha256 == SHA256Hex.of(content) else { throw .digestMismatch }
        guard let signatureBytes = Data(base64Encoded: signature) else { throw .malformed("signature is not base64") }
        guard keys.contains(where: { $0.key.isValidSignature(signatureBytes, for: signedMessage) }) else {
            throw .badSignature(keyID: keyID)
        }
        if let minimumSerial, serial < minimumSerial { throw .rollback(serial: serial, lastAccepted: minimumSerial) }
        let age = now.timeIntervalSince(signedAt)
        guard age <= maxAge else { throw .expired(signedAt: signedAt, maxAge: maxAge) }
        guard age >= -300 else { throw .fromTheFuture(signedAt: signedAt) }
    }
}

/// Why a pinned segment's content was refused.
public enum TrustError: Error, CustomStringConvertible, Sendable, Equatable {
    case missingSignature
    case malformed(String)
    case wrongProfile(expected: String, signed: String)
    case digestMismatch
    case badSignature(keyID: String)
    case rollback(serial: UInt64, lastAccepted: UInt64)
    case expired(signedAt: Date, maxAge: TimeInterval)
    case fromTheFuture(signedAt: Date)

    public var description: String {
        switch self {
        case .missingSignature:
            "signature missing: the segment has a pinned key but the server has no NAME.sig for it"
        case .malformed(let reason):
            "signature malformed: \(reason)"
        case .wrongProfile(let expected, let signed):
            "signature is for profile '\(VisibleText.excerpt(signed))', not '\(expected)' (swapped profile)"
        case .digestMismatch:
            "content does not match its signature's sha256 (tampered or truncated in transit)"
        case .badSignature(let keyID):
            "signature does not verify with any pinned key (signed with key \(VisibleText.excerpt(keyID)))"
        case .rollback(let serial, let last):
            "serial \(serial) is older than the last accepted \(last) (rollback/replay)"
        case .expired(let signedAt, let maxAge):
            "signed at \(signedAt.formatted(.iso8601)), older than the maximum age of \(Int(maxAge))s (frozen feed)"
        case .fromTheFuture(let signedAt):
            "signed at \(signedAt.formatted(.iso8601)), in the future (check the clocks)"
        }
    }
}
