import ArgumentParser

/// Entry point of `hosts-generator`; the subcommands are added as they are built.
@main
struct GeneratorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hosts-generator")
}
