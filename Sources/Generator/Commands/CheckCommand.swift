import ArgumentParser
import Foundation

/// `hosts-generator check`: validates the config, its includes and each source's region/endpoint.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate a profile definition file and its includes (no network).")

    @Option(help: "The profile definition file (YAML).")
    var config: String

    func run() async throws {
        do {
            let report = try ConfigCheck.run(path: config, environment: .current)
            print(report, terminator: "")
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
    }
}
