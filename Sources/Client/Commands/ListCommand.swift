import ArgumentParser
import HostsCore

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the segments in order (earlier wins a conflict).")

    @OptionGroup var global: GlobalOptions

    struct Row: Codable {
        var position: Int
        var name: String
        var kind: SegmentConfig.Kind
        var enabled: Bool
        var url: String?
        var every: Interval?
        var entries: Int?
        var stale: Bool
    }

    func run() async throws {
        try await global.run { context in
            let config = try context.store.loadConfig()
            let rows = try config.segments.enumerated().map { position, segment in
                let meta = segment.kind == .remote ? try context.store.loadMeta(segment.name) : nil
                let entries =
                    segment.kind == .remote
                    ? meta?.entries
                    : try? SegmentAdding.validateLocal(
                        try context.store.loadLocal(segment.name), source: segment.name)
                return Row(
                    position: position + 1, name: segment.name, kind: segment.kind, enabled: segment.enabled,
                    url: segment.url, every: segment.every, entries: entries,
                    stale: segment.kind == .remote && (meta?.isStale ?? true))
            }
            if global.json {
                try Console.json(rows)
            } else if rows.isEmpty {
                Console.out("no segments (add one: hosts-client add NAME --url URL | --local)")
            } else {
                for row in rows {
                    let state = row.enabled ? "on " : "off"
                    let source = row.url ?? "local"
                    let entries = row.entries.map { "\($0) entries" } ?? "no content"
                    Console.out(
                        "\(row.position). \(state) \(row.name)  \(source)  \(entries)\(row.stale ? "  STALE" : "")")
                }
            }
            return true
        }
    }
}
