import ArgumentParser

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one segment: its settings, fetch state and content.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Segment name.") var name: String

    struct Details: Codable {
        var segment: SegmentConfig
        var meta: SegmentMeta?
        var content: String?
    }

    func run() async throws {
        try await global.run { context in
            let config = try context.store.loadConfig()
            var segment = try context.requireSegment(name, in: config)
            let meta = segment.kind == .remote ? try context.store.readMeta(name).get() : nil
            let content = try context.store.content(of: segment).map { String(decoding: $0, as: UTF8.self) }
            segment.url = segment.displayURL
            if global.json {
                try Console.json(Details(segment: segment, meta: meta, content: content))
                return true
            }
            Console.out("# \(segment.name): \(segment.enabled ? "on" : "off"), \(segment.origin)")
            if let meta {
                Console.out("# last fetch: \(meta.lastResult ?? "-"), etag \(meta.etag ?? "-")")
                if let error = meta.error { Console.out("# STALE: \(error)") }
            }
            Console.out(content ?? "# (nothing cached yet)", terminator: content?.hasSuffix("\n") == true ? "" : "\n")
            return true
        }
    }
}
