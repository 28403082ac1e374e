import ArgumentParser

struct EnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Switch segments on, then apply.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Segment names.") var names: [String]
    @Flag(help: "Only change the configuration; do not write the hosts file.") var noApply = false

    func run() async throws {
        try await global.run { context in
            try await context.changeConfig(apply: !noApply) { config in
                for name in names { _ = try config.setEnabled(name, true) }
            }
        }
    }
}
