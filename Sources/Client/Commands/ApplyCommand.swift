import ArgumentParser

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Merge the enabled segments (cached copies; no fetching) into the managed block.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.run { context in
            if let pause = try context.store.loadPause() { throw ClientError.paused(pause) }
            return try await context.changeConfig(apply: true) { _ in }
        }
    }
}
