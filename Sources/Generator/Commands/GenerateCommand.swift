import ArgumentParser
import Foundation
import HostsCore
import Logging

/// `hosts-generator generate`: one pass, or one every `--every`.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Query every source, render every profile and publish the changed files.",
        discussion: """
            A profile is published when every source it uses (its sources:, default all) answered and its includes \
            parse; the others keep their published version. Exit status: 0 every profile published or unchanged; \
            1 some profile was not published because a source, an include or the write failed (each is named on \
            stderr); 2 the config is invalid; 3 the shrink guard refused a profile (and nothing failed). \
            --dry-run exits with the status the real run would have.
            """)

    @Option(help: "The profile definition file (YAML).")
    var config: String

    @Option(help: "The published directory (default: 'output' from the config, relative to it).")
    var output: String?

    @Flag(help: "Print what would be written, with a unified diff per profile, and write nothing.")
    var dryRun = false

    @Option(
        name: .customLong("force"),
        help: ArgumentHelp(
            "Publish profile NAME even when it shrinks by more than the shrink guard allows (repeatable).",
            valueName: "NAME"))
    var force: [String] = []

    @Flag(help: "Publish every profile whatever the shrink guard says.")
    var forceAll = false

    @Option(
        help: "Repeat every INTERVAL (e.g. 5m, 30s, 1h) with jitter, until SIGTERM; the config is read again each pass."
    )
    var every: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        LargeBufferPolicy.apply()
        let logger = try logging.bootstrap()
        let json = logging.logFormat == "json"
        let interval: Double?
        do {
            // Any positive interval up to HostsCore's longest: tests repeat passes sub-second.
            interval = try every.map { text throws(IntervalError) in
                try Interval(parsing: text).checked("--every", in: 0.001...Interval.longest).seconds
            }
        } catch {
            throw ValidationError("\(error)")
        }
        let loaded: GeneratorConfig
        do {
            loaded = try ConfigLoader.load(path: config)
        } catch {
            LoggingOptions.reportError(json: json, "\(error)", logger: logger)
            throw ExitCode(2)
        }
        let known = Set(loaded.profiles.map(\.name))
        if let unknown = force.first(where: { !known.contains($0) }) {
            LoggingOptions.reportError(
                json: json,
                "--force \(unknown): no such profile in \(config) (one of \(known.sorted().joined(separator: ", ")))",
                logger: logger)
            throw ExitCode(2)
        }
        let rule: ForceRule = forceAll ? .all : (force.isEmpty ? .none : .profiles(Set(force)))
        let environment = ProcessEnvironment.current
        // One HTTP client for the process, every pass; shut down before the command returns.
        let transport = HTTPTransport(environment: environment)
        // Kept across passes (and config re-reads): assumed roles are refreshed, not re-assumed every pass.
        let credentials = CredentialsRegistry()
        let output = output
        let dryRun = dryRun
        let makePass = { @Sendable (config: GeneratorConfig) in
            GenerationPass(
                config: config, output: output ?? config.output, dryRun: dryRun, force: rule,
                environment: environment, transport: transport, credentials: credentials, logger: logger)
        }
        guard let interval else {
            let code = await Self.runOnce(makePass(loaded), json: json, logger: logger)
            transport.shutdown()
            if code != 0 { throw ExitCode(code) }
            return
        }
        let reloader = ConfigReloader(path: config, current: loaded, logger: logger)
        let succeeded = await RepeatingRunner(interval: interval, logger: logger).run {
            await Self.runOnce(makePass(reloader.reload()), json: json, logger: logger) == 0
        }
        transport.shutdown()
        if !succeeded { throw ExitCode(1) }
    }

    /// Runs one pass, prints its summary (stdout) and its problems (stderr), and returns the exit status.
    static func runOnce(_ pass: GenerationPass, json: Bool, logger: Logger) async -> Int32 {
        do {
            let report = try await pass.run()
            print(PassSummary(report: report).text, terminator: "")
            for line in report.errors { LoggingOptions.reportError(json: json, line, logger: logger) }
            return report.exitCode
        } catch {
            LoggingOptions.reportError(json: json, "\(error)", logger: logger)
            return error.exitCode
        }
    }
}
