import ArgumentParser

/// Entry point of `hosts-generator`: EC2 inventory → hosts profiles.
@main
struct GeneratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts-generator",
        abstract: "Builds hosts-file profiles from EC2 DescribeInstances and publishes them atomically.",
        subcommands: [GenerateCommand.self, CheckCommand.self, KeygenCommand.self])
}
