import Crypto
import Foundation
import HostsCore
import Synchronization

/// The bearer tokens accepted when `--token-file` is given: one token per line, blank lines and
/// lines starting with `#` ignored. The file is re-read when it changes; if it cannot be read, the
/// tokens loaded last stay in force and the problem shows in /healthz. An empty file admits nobody, and
/// shows in /healthz too. /healthz is unauthenticated: its issues name "token file", never the path.
final class TokenStore: Sendable {
    let path: String
    private struct State {
        var stamp: FileStamp?
        var digests: [SHA256Digest]
        var issue: LoadIssue?
    }
    private let state: Mutex<State>

    /// Fails when the file cannot be read: a server told to require tokens must not start without them.
    init(path: String) throws(TokenFileError) {
        self.path = path
        let (stamp, digests) = try Self.load(path)
        state = Mutex(State(stamp: stamp, digests: digests, issue: Self.emptiness(digests)))
    }

    enum Decision: Equatable {
        case granted
        /// No bearer credentials at all.
        case missing
        /// Bearer credentials that match no token.
        case invalid
    }

    /// Checks an Authorization header value. The presented token is hashed and compared with every known
    /// token's hash without an early exit, so timing reveals neither which token nor how much of it matched.
    func authorize(_ authorization: String?) -> Decision {
        guard let authorization, let token = Self.bearerToken(authorization) else { return .missing }
        let presented = SHA256.hash(data: Array(token.utf8))
        let digests = state.withLock { $0.digests }
        var matched = false
        for digest in digests where Self.constantTimeEqual(presented, digest) {
            matched = true
        }
        return matched ? .granted : .invalid
    }

    /// Re-reads the file when its inode, size or mtime changed. Returns true when the tokens were replaced.
    @discardableResult
    func reloadIfChanged() -> Bool {
        var info = stat()
        let currentStamp = stat(path, &info) == 0 ? FileStamp(info) : nil
        if currentStamp != nil, currentStamp == state.withLock({ $0.stamp }) { return false }
        do {
            let (stamp, digests) = try Self.load(path)
            state.withLock { $0 = State(stamp: stamp, digests: digests, issue: Self.emptiness(digests)) }
            return true
        } catch {
            state.withLock { $0.issue = LoadIssue(file: Self.issueName, line: error.line, reason: error.reason) }
            return false
        }
    }

    /// The last reload's failure, if the file could not be used, or that it holds no token.
    var issue: LoadIssue? { state.withLock { $0.issue } }

    /// How /healthz names the file.
    static let issueName = "token file"

    private static func emptiness(_ digests: [SHA256Digest]) -> LoadIssue? {
        digests.isEmpty
            ? LoadIssue(file: issueName, line: 0, reason: "no tokens: every route but /healthz answers 401") : nil
    }

    static func bearerToken(_ header: String) -> Substring? {
        let trimmed = Substring(header).trimmingSpaces
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).trimmingSpaces
        return token.isEmpty ? nil : token
    }

    private static func constantTimeEqual(_ a: SHA256Digest, _ b: SHA256Digest) -> Bool {
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    private static func load(_ path: String) throws(TokenFileError) -> (FileStamp, [SHA256Digest]) {
        // Followed if a link (a Kubernetes Secret volume presents it so), never blocked on if a FIFO.
        let loaded: (bytes: [UInt8], stamp: FileStamp)
        do {
            loaded = try TrustedFile.serverRead(path, name: path, .serverTokenFile)
        } catch {
            throw TokenFileError(path: path, line: 0, reason: error.reason)
        }
        guard let text = String(validating: loaded.bytes, as: UTF8.self) else {
            throw TokenFileError(path: path, line: 0, reason: "not UTF-8 text")
        }
        var digests: [SHA256Digest] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard !line.contains(where: { $0 == " " || $0 == "\t" }) else {
                throw TokenFileError(path: path, line: offset + 1, reason: "a token cannot contain spaces")
            }
            digests.append(SHA256.hash(data: Array(line.utf8)))
        }
        return (loaded.stamp, digests)
    }
}

/// The token file could not be used; names the file and line.
struct TokenFileError: Error, CustomStringConvertible {
    var path: String
    var line: Int
    var reason: String
    var description: String { line > 0 ? "\(path):\(line): \(reason)" : "\(path): \(reason)" }
}
