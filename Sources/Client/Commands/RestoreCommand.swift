import ArgumentParser

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup back in place (default: the newest); the current file is backed up first.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Backup id (see: hosts-client backups).") var id: String?

    func run() async throws {
        try await global.run { context in
            let lock = try context.lock()
            defer { lock.release() }
            let config = try context.store.loadConfig()
            let applier = context.applier(config)
            let backup = try BackupStore(
                directory: context.paths.backupDirectory, keep: config.settings.keepBackups
            ).find(id)
            try context.checkHostsWritable(config)
            let report = try applier.restore(backup)
            if report.written {
                Console.out(
                    "restored \(backup.id) to \(context.paths.hostsFile)"
                        + (report.backupID.map { " (previous content saved as backup \($0))" } ?? ""))
            } else {
                Console.out("\(context.paths.hostsFile) already holds backup \(backup.id)")
            }
            for failure in report.flush?.failures ?? [] { Console.err("warning: \(failure)") }
            return true
        }
    }
}
