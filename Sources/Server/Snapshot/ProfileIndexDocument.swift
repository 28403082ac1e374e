import Foundation
import HostsCore

/// The JSON served at `/profiles`: one record per served profile, built from the snapshot (entries, bytes
/// and sha256 from the server's own parse; description and dates from the generator's index.json).
enum ProfileIndexDocument {
    struct Record: Codable, Equatable {
        var name: String
        var description: String?
        var sha256: String
        var etag: String
        var bytes: Int
        var entries: Int
        var generatedAt: String?
        var changedAt: String
        var signed: Bool
        var url: String

        enum CodingKeys: String, CodingKey {
            case name, description, sha256, etag, bytes, entries, signed, url
            case generatedAt = "generated_at"
            case changedAt = "changed_at"
        }
    }

    struct Document: Codable, Equatable {
        var profiles: [Record]
    }

    static func records(profiles: [String: PublishedProfile], signed: Set<String>) -> [Record] {
        profiles.values.sorted { $0.name < $1.name }.map { profile in
            Record(
                name: profile.name,
                description: profile.description,
                sha256: profile.representation.sha256,
                etag: profile.representation.etag,
                bytes: profile.size,
                entries: profile.entries,
                generatedAt: profile.generatedAt,
                changedAt: profile.changedAt ?? ISO8601.format(profile.representation.lastModified),
                signed: signed.contains(profile.name),
                url: "/profiles/\(profile.name)"
            )
        }
    }

    static func representation(profiles: [String: PublishedProfile], signed: Set<String>, builtAt: Int64)
        -> Representation
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let records = records(profiles: profiles, signed: signed)
        var bytes = Array((try? encoder.encode(Document(profiles: records))) ?? Data("{\"profiles\":[]}".utf8))
        bytes.append(UInt8(ascii: "\n"))
        let lastModified = profiles.values.map(\.representation.lastModified).max() ?? builtAt
        return Representation(
            bytes: bytes, sha256: SHA256Hex.of(bytes), contentType: "application/json", lastModified: lastModified)
    }
}

/// ISO 8601 UTC timestamps (`2026-11-22T02:30:00Z`) for the JSON documents.
enum ISO8601 {
    static func format(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }
}
