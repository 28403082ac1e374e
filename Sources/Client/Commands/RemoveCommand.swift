import ArgumentParser

struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a segment and its cached or local content, then apply.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Segment name.") var name: String
    @Flag(help: "Only change the configuration; do not write the hosts file.") var noApply = false

    func run() async throws {
        try await global.run { context in
            try await context.changeConfig(apply: !noApply) { config in
                let removed = try config.remove(name)
                switch removed.kind {
                case .remote: try context.store.removeCache(name)
                case .local: try context.store.removeLocal(name)
                }
                Console.out("removed segment \(name)")
            }
        }
    }
}
