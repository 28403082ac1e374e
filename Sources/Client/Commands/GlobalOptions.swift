import ArgumentParser
import Foundation
import HostsCore

/// Options every subcommand accepts (also before the subcommand name: see `ClientCommand.main`).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Hosts file to manage (default: $PSEUDODNS_HOSTS_FILE or /etc/hosts).")
    var hostsFile: String?

    @Option(name: .long, help: "State directory (default: $PSEUDODNS_STATE_DIR or /var/lib/pseudodns).")
    var stateDir: String?

    @Flag(name: .long, help: "Print JSON (list, show, status, backups, config, when, doctor).")
    var json = false

    static let valueOptions: Set<String> = ["--hosts-file", "--state-dir"]
    static let flags: Set<String> = ["--json"]

    var context: ClientContext {
        ClientContext(paths: StatePaths.resolve(stateDirectory: stateDir, hostsFile: hostsFile))
    }

    /// Runs a command body, turning errors into one "hosts-client: …" line and a non-zero exit.
    /// `body` returns false for a partial failure (e.g. a stale segment) that it already reported.
    /// The state directory is checked first (`checkState`; only `doctor` reports instead of refusing).
    func run(checkState: Bool = true, _ body: (ClientContext) async throws -> Bool) async throws {
        let ok: Bool
        do {
            let context = self.context
            if checkState { try StateDirectory.verify(context.paths) }
            ok = try await body(context)
        } catch let exit as ExitCode {
            throw exit
        } catch let error as FileSystemError where error.rootWouldHelp {
            Console.err("\(error) — run: sudo \(Self.commandLine())")
            throw ExitCode(77)
        } catch let error as FileSystemError where error.isPermissionProblem {
            // Root already, a read-only file system or an immutable file: the message says what to change.
            Console.err(error.description)
            throw ExitCode(77)
        } catch let error as IntervalError {
            Console.err(error.description)
            throw ExitCode(64)
        } catch let error as UsageError {
            Console.err(error.description)
            throw ExitCode(64)
        } catch let error as ClientError {
            Console.err(error.description)
            throw ExitCode(error.exitCode)
        } catch {
            Console.err("\(error)")
            throw ExitCode.failure
        }
        if !ok { throw ExitCode.failure }
    }

    static func commandLine() -> String {
        let arguments = CommandLine.arguments
        let name = (arguments.first.map { ($0 as NSString).lastPathComponent }) ?? "hosts-client"
        return ([name] + arguments.dropFirst().map(quote)).joined(separator: " ")
    }

    private static func quote(_ argument: String) -> String {
        let safe = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@%+,".contains($0) }
        return safe && !argument.isEmpty ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
