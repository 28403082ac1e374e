import ArgumentParser

/// Entry point of `hosts-server`; the subcommands are added as they are built.
@main
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hosts-server")
}
