import ArgumentParser
import HostsCore

/// Entry point of `hosts-client`: SwitchHosts-style segments merged safely into one block of /etc/hosts.
@main
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts-client",
        abstract: "Merge remote and local hosts segments into a managed block of /etc/hosts.",
        version: BuildVersion.current,
        subcommands: [
            AddCommand.self, EditCommand.self, EnableCommand.self, DisableCommand.self, RemoveCommand.self,
            MoveCommand.self, ListCommand.self, ShowCommand.self, SyncCommand.self, ApplyCommand.self,
            WatchCommand.self, StatusCommand.self, BackupsCommand.self, RestoreCommand.self, ResumeCommand.self,
            ConfigCommand.self, TrustCommand.self, WhenCommand.self, DoctorCommand.self,
        ]
    )

    /// Lets the global options come before the subcommand too (`hosts-client --json status`).
    static func main() async {
        let arguments = GlobalArguments.reorder(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Moves global options written before the subcommand name to after it, where ArgumentParser expects them.
enum GlobalArguments {
    static func reorder(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            if GlobalOptions.flags.contains(argument) {
                leading.append(argument)
                index += 1
            } else if GlobalOptions.valueOptions.contains(name) {
                leading.append(argument)
                if !argument.contains("="), index + 1 < arguments.count {
                    leading.append(arguments[index + 1])
                    index += 1
                }
                index += 1
            } else {
                break
            }
        }
        guard index < arguments.count, !leading.isEmpty else { return arguments }
        // arguments[index] is the subcommand; its own arguments follow the moved globals.
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}
