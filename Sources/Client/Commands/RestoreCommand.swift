import ArgumentParser
import Foundation

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup back in place (default: the newest) and pause writes until `hosts-client resume`.",
        discussion: """
            The current file is backed up first. While paused, sync and watch still fetch and report but write \
            nothing. A backup is only restored onto the hosts file it was taken of, unless --onto-other-file.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Backup id (see: hosts-client backups).") var id: String?
    @Flag(help: "Restore a backup taken of another hosts file onto this one.") var ontoOtherFile = false

    func run() async throws {
        try await global.run { context in
            if ontoOtherFile { try StatePaths.refuseUnderSudo(.restoreOntoOtherFile) }
            let lock = try context.lock()
            defer { lock.release() }
            let applier = Applier(paths: context.paths, settings: try Self.settings(context))
            let backup = try applier.backups.find(id)
            if let problem = backup.problem { throw ClientError.unsafeStateFile(path: backup.path, reason: problem) }
            let target = context.paths.hostsFile
            if !ontoOtherFile, backup.source.map(Self.standardized) != Self.standardized(target) {
                throw ClientError.backupOfOtherFile(id: backup.id, source: backup.source, target: target)
            }
            try applier.writer.checkWritable()
            let report = try applier.restore(backup)
            try context.store.savePause(PauseState(since: Date(), backup: backup.id, hostsFile: target))
            if report.written {
                Console.out(
                    "restored \(backup.id) to \(target)"
                        + (report.backupID.map { " (previous content saved as backup \($0))" } ?? ""))
            } else {
                Console.out("\(target) already holds backup \(backup.id)")
            }
            Console.out("writes paused: sync and watch fetch but write nothing until: hosts-client resume")
            for failure in report.flush?.failures ?? [] { Console.err("warning: \(failure)") }
            return true
        }
    }

    /// Restore is the way back from a damaged state too: an unreadable config.json only costs its settings.
    static func settings(_ context: ClientContext) throws -> Settings {
        do {
            return try context.store.loadConfig().settings
        } catch ClientError.invalidState(let path, let reason) {
            Console.err("warning: \(path) is not valid (\(reason)); restoring with default settings")
            return Settings()
        }
    }

    static func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
