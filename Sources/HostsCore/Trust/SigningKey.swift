import Crypto
import Foundation

/// An Ed25519 private key for signing profiles. On disk: one base64 line of the 32-byte raw key, mode 0600.
public struct SigningKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey

    public init() { privateKey = Curve25519.Signing.PrivateKey() }

    public init(base64 text: String) throws(TrustError) {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw .malformed("not a base64 Ed25519 private key") }
        privateKey = key
    }

    /// Reads a key file written by ``base64``.
    public init(contentsOf path: String) throws {
        let text = String(decoding: try AtomicFile.read(path), as: UTF8.self)
        do {
            try self.init(base64: text)
        } catch {
            throw KeyFileError(path: path, reason: error.description)
        }
    }

    public var base64: String { privateKey.rawRepresentation.base64EncodedString() }
    public var publicKey: VerifyingKey { VerifyingKey(key: privateKey.publicKey) }
}

/// An Ed25519 public key, written as one base64 line; what a client pins.
public struct VerifyingKey: Sendable, Hashable {
    public let key: Curve25519.Signing.PublicKey

    public init(key: Curve25519.Signing.PublicKey) { self.key = key }

    public init(base64 text: some StringProtocol) throws(TrustError) {
        guard let raw = Data(base64Encoded: String(text).trimmingCharacters(in: .whitespacesAndNewlines)),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { throw .malformed("'\(VisibleText.excerpt(text))' is not a base64 Ed25519 public key") }
        self.key = key
    }

    public var base64: String { key.rawRepresentation.base64EncodedString() }

    /// Hex of the first 8 bytes of the key's SHA-256.
    public var keyID: String { String(SHA256Hex.of(key.rawRepresentation).prefix(16)) }

    public static func == (lhs: VerifyingKey, rhs: VerifyingKey) -> Bool { lhs.base64 == rhs.base64 }
    public func hash(into hasher: inout Hasher) { hasher.combine(base64) }
}

/// A key file that cannot be used.
public struct KeyFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
