import Foundation
import HostsCore

/// What the client remembers about the last fetches of one remote segment (`cache/NAME.meta.json`).
///
/// `fetchedAt` is when the cached copy was last confirmed good (a 200 or a 304); `attemptedAt` is the last try,
/// successful or not. A segment whose last attempt failed is stale: its cached copy still applies.
struct SegmentMeta: Codable, Sendable, Equatable {
    var url: String
    var etag: String?
    var lastModified: String?
    var fetchedAt: Date?
    var attemptedAt: Date?
    /// e.g. "200 OK", "304 Not Modified", or the error that made the last attempt fail.
    var lastResult: String?
    var error: String?
    var entries: Int?
    var bytes: Int?
    var sha256: String?
    /// The signature of the cached copy, for a segment with pinned keys: its serial is the floor for the next one.
    var serial: UInt64?
    var signedAt: Date?
    var keyID: String?
    /// The last accepted serial of each signed profile: a view serves several, each with serials of its own, so
    /// one profile's serial is no floor for another's. nil in metadata written before views (then `serial` is).
    var serials: [String: UInt64]?
    /// Lines of the cached copy that the segment's policy kept out of the hosts file: the first
    /// ``droppedKept``, and how many there were (``droppedCount``) when more — a list naming every line of a
    /// hostile answer would make this file several times the size of the answer.
    var dropped: [DroppedEntry]?
    var droppedCount: Int?

    static let droppedKept = 20
    /// Where the server last redirected the fetch (nil: it answered at `url` itself).
    var redirect: FetchRedirect?
    /// The profile the server's view last chose; set only for a segment whose URL is a view.
    var viewProfile: String?
    /// How many entries each profile of the view last had here: an unsigned move back to a smaller profile is
    /// judged by the shrink guard against that one, not against the profile being left. At most
    /// ``viewEntriesLimit`` names, whatever names a server sends.
    var viewEntries: [String: Int]?

    static let viewEntriesLimit = 16

    enum CodingKeys: String, CodingKey {
        case serial, serials, dropped, redirect
        case droppedCount = "dropped_count"
        case viewProfile = "view_profile"
        case viewEntries = "view_entries"
        case signedAt = "signed_at"
        case keyID = "key_id"
        case url, etag
        case lastModified = "last_modified"
        case fetchedAt = "fetched_at"
        case attemptedAt = "attempted_at"
        case lastResult = "last_result"
        case error, entries, bytes, sha256
    }

    var isStale: Bool { error != nil }
}

extension SegmentMeta {
    /// Remembers the view profile of the copy just stored and its size (or forgets both, for a plain profile).
    mutating func recordView(_ profile: String?, entries: Int) {
        viewProfile = profile
        guard let profile else {
            viewEntries = nil
            return
        }
        var sizes = viewEntries ?? [:]
        if sizes[profile] == nil && sizes.count >= Self.viewEntriesLimit { sizes = [:] }
        sizes[profile] = entries
        viewEntries = sizes
    }

    /// Remembers the signature of the copy just accepted (or forgets it, for an unsigned one).
    mutating func recordSignature(_ signature: ProfileSignature?) {
        serial = signature?.serial
        signedAt = signature?.signedAt
        keyID = signature?.keyID
        if let signature {
            var floors = serials ?? [:]
            floors[signature.profile] = max(floors[signature.profile] ?? 0, signature.serial)
            serials = floors
        } else {
            serials = nil
        }
    }

    /// The lowest serial a new signature for `profile` may carry.
    func serialFloor(for profile: String) -> UInt64? {
        guard let serials else { return serial }
        return serials[profile]
    }
}
