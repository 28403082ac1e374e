/// Why an instance that matched a profile's prefixes is left out of it.
enum SkipReason: String, Error, Sendable, CaseIterable, Comparable {
    /// No `Name` tag, or one with nothing usable in it (a `{name}` template cannot expand).
    case noName = "no-name"
    /// The instance has no address of the kind the profile publishes (no public IP, no IPv6…).
    case noAddress = "no-address"
    /// The API returned an address that does not parse, or of the wrong family.
    case badAddress = "bad-address"
    /// Its state is not one of the configured states (the API filter should already have removed it).
    case state
    /// No template produced a valid hostname (e.g. a `{tag:KEY}` the instance lacks).
    case noHostname = "no-hostname"
    /// Every name it would get is taken by another instance or a static entry.
    case duplicate

    static func < (lhs: SkipReason, rhs: SkipReason) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Counters of one profile for one source.
struct RenderStats: Sendable, Equatable {
    var matched = 0
    var kept = 0
    var skipped: [SkipReason: Int] = [:]

    var skippedSummary: String {
        let parts = skipped.keys.sorted().map { "\($0.rawValue)=\(skipped[$0]!)" }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}
