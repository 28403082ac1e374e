import ArgumentParser
import Foundation

/// `hosts-generator keygen --out DIR`: a new Ed25519 key pair for `signing-key:`.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make an Ed25519 key pair for signing profiles.",
        discussion: """
            Writes DIR/\(KeyPairFiles.privateName) (mode 0600; point signing-key: at it) and \
            DIR/\(KeyPairFiles.publicName), and prints the public key line that clients pin with \
            hosts-client add NAME --url URL --public-key KEY.
            """)

    @Option(help: "Directory for the key files (created if missing).")
    var out: String

    @Flag(help: "Replace an existing key pair (clients that pinned the old public key will refuse new profiles).")
    var force = false

    func run() throws {
        do {
            let files = try KeyPairFiles(directory: out).create(force: force)
            print(files.publicKey.base64)
            FileHandle.standardError.write(
                Data("hosts-generator: wrote \(files.privatePath) (keep it secret) and \(files.publicPath)\n".utf8))
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
