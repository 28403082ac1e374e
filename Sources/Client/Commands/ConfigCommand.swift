import ArgumentParser
import HostsCore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show or change settings: keep-backups, after-apply, timeout, max-bytes.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Setting name.") var key: String?
    @Argument(help: "New value.") var value: String?
    @Flag(help: "Reset the setting to its default.") var unset = false

    func run() async throws {
        try await global.run { context in
            guard let key else {
                let settings = try context.store.loadConfig().settings
                if global.json { try Console.json(settings) } else { Console.out(Self.describe(settings)) }
                return true
            }
            if key == "after-apply", value != nil || unset { try StatePaths.refuseUnderSudo(.afterApply) }
            return try await context.changeConfig(apply: false) { config in
                try Self.set(key, unset ? nil : value, in: &config.settings, show: value == nil && !unset)
            }
        }
    }

    static func set(_ key: String, _ value: String?, in settings: inout Settings, show: Bool) throws {
        if show {
            Console.out(
                describe(settings).split(separator: "\n").first { $0.hasPrefix(key + " ") }.map(String.init)
                    ?? "")
            return
        }
        switch key {
        case "keep-backups":
            settings.keepBackups =
                try value.map { text throws(UsageError) in
                    try SettingRanges.count(text, key, in: SettingRanges.keepBackups)
                } ?? Settings.defaultKeepBackups
        case "after-apply": settings.afterApply = value
        case "timeout":
            settings.timeout =
                try value.map { text throws(IntervalError) in try SettingRanges.timeout(text, what: key) }
                ?? Settings.defaultTimeout
        case "max-bytes":
            settings.maxBytes =
                try value.map { text throws(UsageError) in
                    try SettingRanges.count(text, key, in: SettingRanges.maxBytes, sizes: true)
                } ?? Settings.defaultMaxBytes
        default:
            throw UsageError(
                "unknown setting '\(key)': use keep-backups, after-apply, timeout or max-bytes")
        }
    }

    static func describe(_ settings: Settings) -> String {
        """
        keep-backups \(settings.keepBackups)
        after-apply \(settings.afterApply ?? "(none: flush resolver caches)")
        timeout \(settings.timeout)
        max-bytes \(settings.maxBytes)
        """
    }
}
