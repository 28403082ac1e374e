import Foundation

/// What one conditional GET produced.
enum FetchResponse: Sendable, Equatable {
    /// 200 with a body (not yet validated as hosts content).
    case content(bytes: [UInt8], etag: String?, lastModified: String?)
    /// 304: the cached copy is still current.
    case notModified
}

/// Why a fetch failed, in words that fit after "segment NAME: ".
struct FetchError: Error, CustomStringConvertible, Equatable {
    var reason: String
    /// The HTTP status when the server answered with one other than 200/304.
    var status: Int? = nil
    var description: String { reason }
}

/// Per-request limits (from the settings, overridable on the command line).
struct FetchLimits: Sendable {
    var timeout: Interval
    var maxBytes: Int

    init(timeout: Interval = Settings.defaultTimeout, maxBytes: Int = Settings.defaultMaxBytes) {
        self.timeout = timeout
        self.maxBytes = maxBytes
    }
}
