import Foundation

/// One profile in the published directory's `index.json`.
public struct ProfileRecord: Codable, Sendable, Equatable {
    public var name: String
    public var description: String?
    /// Lowercase hex SHA-256 of the exact bytes of `NAME.hosts`.
    public var sha256: String
    public var bytes: Int
    /// Address lines in the file.
    public var entries: Int
    /// When the generator last produced this profile, changed or not.
    public var generatedAt: Date
    /// When the content (its sha256) last changed.
    public var changedAt: Date

    public init(
        name: String, description: String? = nil, sha256: String, bytes: Int, entries: Int, generatedAt: Date,
        changedAt: Date
    ) {
        self.name = name
        self.description = description
        self.sha256 = sha256
        self.bytes = bytes
        self.entries = entries
        self.generatedAt = generatedAt
        self.changedAt = changedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, description, sha256, bytes, entries
        case generatedAt = "generated_at"
        case changedAt = "changed_at"
    }
}

/// The published directory's `index.json`: `{"profiles": [...], "views": [...]}`, each sorted by name. An index
/// without `views` (written before views existed) has none.
public struct ProfileIndex: Codable, Sendable, Equatable {
    public var profiles: [ProfileRecord]
    public var views: [ViewRecord]

    public init(profiles: [ProfileRecord], views: [ViewRecord] = []) {
        self.profiles = profiles.sorted { $0.name < $1.name }
        self.views = views.sorted { $0.name < $1.name }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            profiles: try container.decode([ProfileRecord].self, forKey: .profiles),
            views: try container.decodeIfPresent([ViewRecord].self, forKey: .views) ?? [])
    }

    public static func decode(_ data: Data) throws -> ProfileIndex {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ProfileIndex.self, from: data)
    }

    /// Pretty, key-sorted JSON with ISO 8601 dates: the same index always gives the same bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
