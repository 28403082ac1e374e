import ArgumentParser

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Fetch the remote segments that are due (conditional GET), then apply.",
        discussion: """
            A segment that fails keeps its last good copy, is marked stale, and makes sync exit non-zero; \
            the other segments still apply.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print the unified diff of the hosts file; change nothing.") var dryRun = false
    @Flag(help: "Fetch every enabled remote segment, due or not.") var force = false
    @Option(help: "Per-request timeout (default: the timeout setting, 10s).") var timeout: String?

    func run() async throws {
        try await global.run { context in
            let timeout = try timeout.map { text throws(IntervalError) in try Interval(parsing: text) }
            return try await SyncOperation(
                context: context, fetcher: RemoteFetcher(), force: force, dryRun: dryRun, timeout: timeout
            ).run()
        }
    }
}
