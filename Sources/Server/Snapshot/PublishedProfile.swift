/// A profile as served: validated content plus the metadata the generator's index.json adds.
struct PublishedProfile: Sendable {
    let name: String
    let stamp: FileStamp
    let entries: Int
    let representation: Representation
    var description: String?
    var generatedAt: String?
    var changedAt: String?

    /// Bytes of the profile file.
    var size: Int { representation.identity.readableBytes }
}

/// Why a file in the published directory is not (or no longer) being served as is.
struct LoadIssue: Codable, Sendable, Equatable {
    var file: String
    /// 1-based line of the problem; 0 when it concerns the whole file.
    var line: Int
    var reason: String
}
