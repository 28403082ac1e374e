import ArgumentParser
import Foundation
import HostsCore

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Keep running: sync on schedule, riding out server outages (each segment keeps its own --every)."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "How often to look for due segments.") var every: String = "1m"

    func run() async throws {
        try await global.run { context in
            let interval = try SettingRanges.every(every, what: "watch --every")
            Console.out("watching every \(interval); hosts file \(context.paths.hostsFile)")
            while !Task.isCancelled {
                do {
                    _ = try await SyncOperation(context: context, quiet: true).run()
                } catch {
                    // Keep going: the next round may find the server (or the disk, or the rights) back.
                    Console.err("sync failed: \(error); retrying in \(interval)")
                }
                try await Task.sleep(for: interval.duration)
            }
            return true
        }
    }
}
