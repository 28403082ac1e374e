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
    /// Set when the shrink guard refuses this profile (it is then left as it is).
    var refusal: String?
    /// The published bytes it replaces, for `--dry-run`'s diff.
    var old: [UInt8]?
}

/// The whole pass's publication, decided before anything is written.
struct PublishPlan: Sendable {
    var directory: String
    var actions: [PublishAction]

    var refusals: [String] { actions.compactMap(\.refusal) }
}

/// Which profiles the shrink guard lets through whatever they lose: `--force NAME` (repeatable), `--force-all`.
enum ForceRule: Sendable, Equatable {
    case none
    case all
    case profiles(Set<String>)

    func forces(_ profile: String) -> Bool {
        switch self {
        case .none: false
        case .all: true
        case .profiles(let names): names.contains(profile)
        }
    }
}

/// A write failed; nothing was changed.
struct PublishError: Error, CustomStringConvertible, Sendable {
    var reason: String
    var description: String { reason }
}
