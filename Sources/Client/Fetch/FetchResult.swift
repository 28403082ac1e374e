import Foundation
import HostsCore

/// What one conditional GET produced.
enum FetchResponse: Sendable, Equatable {
    /// 200 with a body (not yet validated as hosts content).
    case content(bytes: [UInt8], etag: String?, lastModified: String?)
    /// 304: the cached copy is still current.
    case notModified
}

/// A response and, when the server redirected, where the content really came from.
struct FetchAnswer: Sendable, Equatable {
    var response: FetchResponse
    var redirect: FetchRedirect?
    /// The profile a server-side view chose for this client (`X-PseudoDNS-Profile`); nil for a plain profile.
    var viewProfile: String? = nil
}

/// The last hop of a redirected fetch: `status` shows it, and a permanent move is a hint to update the URL.
struct FetchRedirect: Sendable, Equatable, Codable {
    /// The URL that finally answered.
    var location: String
    /// Every hop was 301 or 308.
    var permanent: Bool
}

/// Why a fetch failed, in words that fit after "segment NAME: ".
struct FetchError: Error, CustomStringConvertible, Equatable {
    var reason: String
    /// The HTTP status when the server answered with one other than 200/304.
    var status: Int? = nil
    var description: String { reason }
}

/// Per-fetch limits (from the settings, overridable on the command line).
struct FetchLimits: Sendable {
    /// Bounds the whole fetch: connect, TLS, headers, every redirect and the complete body.
    var timeout: Interval
    /// Bounds the body as decoded (gzip/deflate expanded), counted while it streams in.
    var maxBytes: Int

    init(timeout: Interval = Settings.defaultTimeout, maxBytes: Int = Settings.defaultMaxBytes) {
        self.timeout = timeout
        self.maxBytes = maxBytes
    }
}
