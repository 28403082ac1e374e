import ArgumentParser
import Foundation

struct EditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit a local segment in $EDITOR; invalid content is refused and the segment kept as it was.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Local segment name.") var name: String
    @Flag(help: "Only save the segment; do not write the hosts file.") var noApply = false

    func run() async throws {
        try await global.run { context in
            try StatePaths.refuseUnderSudo(.edit)
            let original = try context.store.loadLocal(name)
            guard let edited = try SegmentEditor(context: context).edit(name) else {
                Console.out("segment \(name) unchanged")
                return true
            }
            return try await context.changeConfig(apply: !noApply) { config in
                _ = try context.requireSegment(name, in: config)
                // Someone else saved this segment while the editor was open: do not overwrite their version.
                guard try context.store.loadLocal(name) == original else {
                    throw ClientError.invalidArguments(
                        "segment \(name) changed while you were editing; run edit again")
                }
                try context.store.saveLocal(edited, for: name)
                try? FileIO.remove(context.paths.localFile(name) + ".rejected")
                Console.out("saved segment \(name)")
            }
        }
    }
}
