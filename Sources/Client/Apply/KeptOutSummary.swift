import HostsCore

/// How many names the merge kept out of the block because lines outside it define them, and the first few: what
/// `apply` and `sync` print, also when an unchanged apply skips the merge (it is kept in `applied.json`).
struct KeptOutSummary: Codable, Sendable, Equatable {
    static let shown = 5

    var count: Int
    var first: [String]

    /// nil when nothing was kept out.
    init?(_ keptOut: [KeptOutName]) {
        let names = keptOut.distinctNames
        guard !names.isEmpty else { return nil }
        count = names.count
        first = Array(names.prefix(Self.shown))
    }

    /// `kept out of the block: 2 names defined outside it (db.corp, ldap.corp)`
    var text: String {
        "kept out of the block: \(count) name\(count == 1 ? "" : "s") defined outside it ("
            + first.joined(separator: ", ") + (count > first.count ? ", …" : "") + ")"
    }
}
