import ArgumentParser
import Foundation
import HostsCore

/// `hosts-generator generate`: one pass, or one every `--every`.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Query every source, render every profile and publish the changed files.",
        discussion: """
            Exit status: 0 success; 1 a source, include or write failed; 2 the config is invalid; \
            3 the shrink guard refused a profile. Nothing published changes when a pass fails.
            """)

    @Option(help: "The profile definition file (YAML).")
    var config: String

    @Option(help: "The published directory (default: 'output' from the config, relative to it).")
    var output: String?

    @Flag(help: "Print what would be written, per profile, and write nothing.")
    var dryRun = false

    @Flag(help: "Publish even when a profile shrinks by more than the shrink guard allows.")
    var force = false

    @Option(help: "Repeat every INTERVAL (e.g. 5m, 30s, 1h) with jitter, until SIGTERM.")
    var every: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        LargeBufferPolicy.apply()
        let logger = try logging.bootstrap()
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
            printError("\(error)")
            throw ExitCode(2)
        }
        let environment = ProcessEnvironment.current
        let transport = HTTPTransport()
        let pass = GenerationPass(
            config: loaded, output: output ?? loaded.output, dryRun: dryRun, force: force, environment: environment,
            transport: transport,
            credentials: CredentialsRegistry(),
            logger: logger)
        guard let interval else {
            let code = await Self.runOnce(pass)
            if code != 0 { throw ExitCode(code) }
            return
        }
        let succeeded = await RepeatingRunner(interval: interval, logger: logger).run {
            await Self.runOnce(pass) == 0
        }
        if !succeeded { throw ExitCode(1) }
    }

    /// Runs one pass, prints its summary (stdout) or its error (stderr), and returns the exit status.
    static func runOnce(_ pass: GenerationPass) async -> Int32 {
        do {
            let report = try await pass.run()
            print(PassSummary(report: report).text, terminator: "")
            return 0
        } catch {
            printError("\(error)")
            return error.exitCode
        }
    }
}
