import ArgumentParser
import HostsCore

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Fetch the remote segments that are due (conditional GET), then apply.",
        discussion: """
            A segment that fails keeps its last good copy, is marked stale, and makes sync exit non-zero; \
            the other segments still apply. An unsigned copy with no entries, or with less than half of the \
            cached ones, is held back the same way (the shrink guard) until --accept-shrink NAME or --force.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print the unified diff of the hosts file; change nothing.") var dryRun = false
    @Flag(help: "Fetch every enabled remote segment, due or not, and accept any shrink.") var force = false
    @Option(help: "Deadline of each segment's whole fetch, 1s to 1h (default: the timeout setting, 10s).")
    var timeout: String?
    @Option(
        name: .customLong("accept-shrink"),
        help: "Accept this segment's new copy even if it has no entries or lost more than half (repeatable).")
    var acceptShrink: [String] = []

    func run() async throws {
        try await global.run { context in
            let timeout = try timeout.map { text throws(IntervalError) in try SettingRanges.timeout(text) }
            return try SyncOperation.verdict(
                await SyncOperation(
                    context: context, force: force, dryRun: dryRun, timeout: timeout, acceptShrink: Set(acceptShrink)
                ).run())
        }
    }
}
