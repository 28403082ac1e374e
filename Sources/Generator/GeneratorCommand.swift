import ArgumentParser
import HostsCore

/// Entry point of `hosts-generator`: EC2 inventory → hosts profiles.
@main
struct GeneratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts-generator",
        abstract: "Builds hosts-file profiles from EC2 DescribeInstances and publishes them atomically.",
        version: BuildVersion.current,
        subcommands: [GenerateCommand.self, CheckCommand.self, KeygenCommand.self])
}
