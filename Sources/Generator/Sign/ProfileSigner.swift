import Foundation
import HostsCore

/// Signs published profiles: `NAME.hosts.sig` next to each `NAME.hosts`.
///
/// The serial comes from the signature already published: the same bytes keep its serial, new bytes get the next
/// one. Every pass signs again (a new `signed_at`) even when nothing changed, so a healthy feed never looks frozen
/// to a client that enforces a maximum age.
struct ProfileSigner: Sendable {
    var key: SigningKey

    static func path(directory: String, profile: String) -> String {
        "\(directory)/\(PublishedLayout.signatureFile(profile))"
    }

    /// The signature for `content`, continuing the serial of the signature at `path`.
    ///
    /// A signature file that exists but cannot be read is an error rather than a restart at serial 1: clients that
    /// accepted a higher serial would refuse every profile from then on as a rollback.
    func sign(profile: String, content: [UInt8], previousAt path: String, at now: Date) throws(SigningError)
        -> ProfileSignature
    {
        let sha256 = SHA256Hex.of(content)
        var serial: UInt64 = 1
        if let data = FileManager.default.contents(atPath: path) {
            let previous: ProfileSignature
            do {
                previous = try ProfileSignature.decode(data)
            } catch {
                throw SigningError(
                    reason: "\(path): \(error) — move it away only if no client has pinned this profile yet "
                        + "(the serial would restart at 1 and look like a rollback)")
            }
            serial = previous.sha256 == sha256 ? max(previous.serial, 1) : previous.serial + 1
        }
        do {
            return try ProfileSignature.sign(profile: profile, content: content, serial: serial, at: now, key: key)
        } catch {
            throw SigningError(reason: "profile \(profile): signing failed: \(error)")
        }
    }
}

/// Why profiles could not be signed (nothing was published).
struct SigningError: Error, CustomStringConvertible, Sendable {
    var reason: String
    var description: String { reason }
}
