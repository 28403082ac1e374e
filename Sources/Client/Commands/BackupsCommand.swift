import ArgumentParser

struct BackupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backups", abstract: "List the hosts-file backups taken before each write (oldest first).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.run { context in
            // No config needed (keep only matters when saving): the list works with a damaged config.json.
            let backups = try BackupStore(directory: context.paths.backupDirectory, keep: 1).list()
            if global.json {
                try Console.json(backups)
            } else if backups.isEmpty {
                Console.out("no backups yet")
            } else {
                for backup in backups {
                    var line = "\(backup.id)  \(backup.bytes) bytes  of \(backup.source ?? "(unknown file)")"
                    if let problem = backup.problem { line += "  REFUSED: \(problem)" }
                    Console.out(line)
                }
            }
            return true
        }
    }
}
