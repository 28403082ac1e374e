import Foundation
import HostsCore
import TestSupport

/// A remote profile and its signature served by a scripted server, as hosts-server would serve them
/// (`/profiles/NAME` with an ETag and 304s, `/profiles/NAME.sig`), with the pieces tests need to forge.
final class SignedFeed: @unchecked Sendable {
    let server: ScriptedHTTPServer
    let name: String
    private let lock = NSLock()
    private var content = ""
    private var signature: [UInt8]?

    init(server: ScriptedHTTPServer, name: String) {
        self.server = server
        self.name = name
        server.route("/profiles/\(name)") { [self] request in
            let (content, _) = current
            let etag = "\"\(SHA256Hex.of(Array(content.utf8)).prefix(16))\""
            if request.headers["if-none-match"] == etag {
                return ScriptedResponse(status: 304, headers: [("ETag", etag)])
            }
            return .text(content, etag: etag)
        }
        server.route("/profiles/\(name).sig") { [self] _ in
            guard let signature = current.1 else { return .status(404, body: "no signature\n") }
            return ScriptedResponse(status: 200, headers: [("Content-Type", "application/json")], body: signature)
        }
    }

    var url: String { server.url("/profiles/\(name)") }

    var current: (String, [UInt8]?) { lock.withLock { (content, signature) } }

    /// Serves `content` with a signature made by `key` (as profile `profile`, default this feed's name).
    func publish(
        _ content: String, key: SigningKey, serial: UInt64, signedAt: Date = Date(), profile: String? = nil
    ) throws {
        let document = try ProfileSignature.sign(
            profile: profile ?? name, content: Array(content.utf8), serial: serial, at: signedAt, key: key)
        set(content, signature: Array(try document.encoded()))
    }

    /// Serves exactly these bytes (nil signature: the .sig answers 404).
    func set(_ content: String, signature: [UInt8]?) {
        lock.withLock {
            self.content = content
            self.signature = signature
        }
    }
}
