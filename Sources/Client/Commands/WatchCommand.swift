import ArgumentParser
import Foundation
import HostsCore

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Keep running: sync on schedule, and at once when the network changes (--when rules, views).",
        discussion: """
            Rides out server outages (each segment keeps its own --every). Interface and address changes wake it \
            (Linux: rtnetlink; elsewhere a poll every 2s); a change must hold for --settle before it acts, so a \
            flap writes nothing.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "How often to look for due segments (10s to 7d).") var every: String = "1m"
    @Option(help: "How long a network change must hold before watch acts (1s to 1h).") var settle: String = "3s"

    func run() async throws {
        try await global.run { context in
            let interval = try SettingRanges.every(every, what: "watch --every")
            let settle = try Interval(parsing: settle).checked("--settle", in: 1...3600)
            Console.out("watching every \(interval); hosts file \(context.paths.hostsFile)")
            try await WatchLoop(context: context, every: interval, settle: settle).run()
            return true
        }
    }
}
