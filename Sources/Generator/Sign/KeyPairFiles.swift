import Foundation
import HostsCore

/// The two files `keygen` writes: the private key (one base64 line, 0600) and the public key (one base64 line).
struct KeyPairFiles {
    static let privateName = "pseudodns-signing.key"
    static let publicName = "pseudodns-signing.pub"

    var directory: String

    var privatePath: String { "\(directory)/\(Self.privateName)" }
    var publicPath: String { "\(directory)/\(Self.publicName)" }

    struct Created {
        var privatePath: String
        var publicPath: String
        var publicKey: VerifyingKey
    }

    /// Makes a new pair. Refuses to replace an existing private key unless `force`: losing it means every
    /// client that pinned its public key refuses the next profile.
    func create(force: Bool) throws(KeygenError) -> Created {
        if !force, FileManager.default.fileExists(atPath: privatePath) {
            throw KeygenError(reason: "\(privatePath) already exists; use --force to replace it")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw KeygenError(reason: "cannot create \(directory): \(error.localizedDescription)")
        }
        let key = SigningKey()
        do {
            // A fresh file gets 0600 from AtomicFile; an existing one keeps its mode, so tighten it explicitly.
            try AtomicFile.write(Array((key.base64 + "\n").utf8), to: privatePath, mode: 0o600)
            chmod(privatePath, 0o600)
            try AtomicFile.write(Array((key.publicKey.base64 + "\n").utf8), to: publicPath, mode: 0o644)
        } catch {
            throw KeygenError(reason: "\(error)")
        }
        return Created(privatePath: privatePath, publicPath: publicPath, publicKey: key.publicKey)
    }
}

/// Why `keygen` wrote nothing (or only part): one line naming the file.
struct KeygenError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
