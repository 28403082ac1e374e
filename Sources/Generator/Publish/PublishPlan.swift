/// What publishing one profile would do.
struct PublishAction: Sendable, Equatable {
    enum Change: String, Sendable {
        case new, changed, unchanged
    }

    var profile: String
    var path: String
    var entries: Int
    var previousEntries: Int?
    var bytes: Int
    var sha256: String
    var change: Change
    /// Set when the shrink guard refuses this profile.
    var refusal: String?
}

/// The whole pass's publication, decided before anything is written.
struct PublishPlan: Sendable {
    var directory: String
    var actions: [PublishAction]

    var refusals: [String] { actions.compactMap(\.refusal) }
}

/// The shrink guard (or a write) stopped the publication; nothing was written.
struct PublishError: Error, CustomStringConvertible, Sendable {
    var reason: String
    /// The shrink guard refused (exit 3), as opposed to a write or signing failure (exit 1).
    var isRefusal = false
    var description: String { reason }
}
