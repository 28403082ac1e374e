import Foundation
import HostsCore

/// The JSON served at `/profiles`: one record per served profile, built from the snapshot (entries, bytes
/// and sha256 from the server's own parse; description and dates from the generator's index.json), and the views.
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

    /// A view as listed: where it is served, what it chooses from, and by which ranges.
    struct ViewEntry: Codable, Equatable {
        var name: String
        var url: String
        var profiles: [String]
        var choose: [ViewChoice]
    }

    struct Document: Codable, Equatable {
        var profiles: [Record]
        var views: [ViewEntry]
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

    static func representation(
        profiles: [String: PublishedProfile], signed: Set<String>, views: [String: ServedView], builtAt: Int64
    ) -> Representation {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let records = records(profiles: profiles, signed: signed)
        let entries = views.values.map(\.record).sorted { $0.name < $1.name }.map {
            ViewEntry(name: $0.name, url: "/profiles/\($0.name)", profiles: $0.profiles, choose: $0.choose)
        }
        var bytes = Array(
            (try? encoder.encode(Document(profiles: records, views: entries)))
                ?? Data("{\"profiles\":[],\"views\":[]}".utf8))
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
