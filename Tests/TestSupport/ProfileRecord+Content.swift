import Foundation
import HostsCore

extension ProfileRecord {
    /// The index record of a profile published with exactly `text`, as the generator would write it.
    public static func of(_ name: String, _ text: String, entries: Int, at date: Date) -> ProfileRecord {
        ProfileRecord(
            name: name, sha256: SHA256Hex.of(Array(text.utf8)), bytes: text.utf8.count, entries: entries,
            generatedAt: date, changedAt: date)
    }
}
