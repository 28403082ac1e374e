import HostsCore

/// Everything the server answers from, immutable once built. A request reads one snapshot reference and
/// answers from it alone, so a response never mixes two versions of the directory.
final class Snapshot: Sendable {
    let profiles: [String: PublishedProfile]
    /// `NAME.hosts.sig` contents, keyed by profile name; only for profiles that are being served.
    let signatures: [String: Representation]
    /// Views from index.json, by name: `/profiles/NAME` answered with the profile chosen by the client's address.
    let views: [String: ServedView]
    /// The JSON document served at `/profiles`.
    let index: Representation
    /// Files currently refused, and problems reading the directory or index.json.
    let issues: [LoadIssue]
    /// Counts reloads that changed anything; 0 for the first load.
    let generation: Int
    /// Seconds since the epoch when this snapshot was built.
    let builtAt: Int64

    init(
        profiles: [String: PublishedProfile], signatures: [String: Representation], views: [ViewRecord] = [],
        issues: [LoadIssue], generation: Int, builtAt: Int64
    ) {
        self.profiles = profiles
        self.signatures = signatures
        var served: [String: ServedView] = [:]
        for view in views where profiles[view.name] == nil {
            served[view.name] = ServedView(view, profiles: profiles, signatures: signatures)
        }
        self.views = served
        self.issues = issues
        self.generation = generation
        self.builtAt = builtAt
        self.index = ProfileIndexDocument.representation(
            profiles: profiles, signed: Set(signatures.keys), views: served, builtAt: builtAt)
    }

    /// Profiles sorted by name, for listings.
    var sortedProfiles: [PublishedProfile] { profiles.values.sorted { $0.name < $1.name } }

    /// Views sorted by name, for listings.
    var sortedViews: [ServedView] { views.values.sorted { $0.record.name < $1.record.name } }

    static let empty = Snapshot(profiles: [:], signatures: [:], issues: [], generation: 0, builtAt: 0)
}
