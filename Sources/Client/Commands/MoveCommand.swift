import ArgumentParser

struct MoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Change a segment's place in the order (earlier wins a conflict), then apply.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Segment name.") var name: String
    @Option(help: "Put it just before this segment.") var before: String?
    @Flag(help: "Put it first (highest precedence).") var first = false
    @Flag(help: "Put it last (lowest precedence).") var last = false
    @Flag(help: "Only change the configuration; do not write the hosts file.") var noApply = false

    func validate() throws {
        guard [before != nil, first, last].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --before OTHER, --first, --last")
        }
    }

    func run() async throws {
        let position: ClientConfig.Position = first ? .first : last ? .last : .before(before!)
        try await global.run { context in
            try await context.changeConfig(apply: !noApply) { config in
                try config.move(name, to: position)
                Console.out("order: " + config.segments.map(\.name).joined(separator: ", "))
            }
        }
    }
}
