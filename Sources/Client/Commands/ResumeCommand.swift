import ArgumentParser

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "End the pause that restore started, then apply the segments again.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.run { context in
            do {
                let lock = try context.lock()
                defer { lock.release() }
                // A damaged pause file is ended too: resuming is what the user asked for.
                let pause = try? context.store.loadPause()
                try context.store.removePause()
                Console.out(pause.map { "resumed (was \($0.text.prefix { $0 != ";" }))" } ?? "resumed")
            }
            return try await context.changeConfig(apply: true) { _ in }
        }
    }
}
