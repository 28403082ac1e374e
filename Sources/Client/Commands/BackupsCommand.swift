import ArgumentParser

struct BackupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backups", abstract: "List the hosts-file backups taken before each write (oldest first).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.run { context in
            let config = try context.store.loadConfig()
            let backups = try BackupStore(
                directory: context.paths.backupDirectory, keep: config.settings.keepBackups
            ).list()
            if global.json {
                try Console.json(backups)
            } else if backups.isEmpty {
                Console.out("no backups yet")
            } else {
                for backup in backups { Console.out("\(backup.id)  \(backup.bytes) bytes") }
            }
            return true
        }
    }
}
