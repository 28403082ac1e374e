import ArgumentParser

/// Entry point of `hosts-client`; the subcommands are added as they are built.
@main
struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hosts-client")
}
