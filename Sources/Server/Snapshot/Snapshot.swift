/// Everything the server answers from, immutable once built. A request reads one snapshot reference and
/// answers from it alone, so a response never mixes two versions of the directory.
final class Snapshot: Sendable {
    let profiles: [String: PublishedProfile]
    /// `NAME.hosts.sig` contents, keyed by profile name; only for profiles that are being served.
    let signatures: [String: Representation]
    /// The JSON document served at `/profiles`.
    let index: Representation
    /// Files currently refused, and problems reading the directory or index.json.
    let issues: [LoadIssue]
    /// Counts reloads that changed anything; 0 for the first load.
    let generation: Int
    /// Seconds since the epoch when this snapshot was built.
    let builtAt: Int64

    init(
        profiles: [String: PublishedProfile], signatures: [String: Representation], issues: [LoadIssue],
        generation: Int, builtAt: Int64
    ) {
        self.profiles = profiles
        self.signatures = signatures
        self.issues = issues
        self.generation = generation
        self.builtAt = builtAt
        self.index = ProfileIndexDocument.representation(
            profiles: profiles, signed: Set(signatures.keys), builtAt: builtAt)
    }

    /// Profiles sorted by name, for listings.
    var sortedProfiles: [PublishedProfile] { profiles.values.sorted { $0.name < $1.name } }

    static let empty = Snapshot(profiles: [:], signatures: [:], issues: [], generation: 0, builtAt: 0)
}
