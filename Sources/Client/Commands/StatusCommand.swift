import ArgumentParser

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "Per segment: on/off (and why: --when rules), source, last fetch, entries, ETag, age, conflicts; and whether the hosts "
            + "file matches what the client would write.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.run { context in
            let location = await LocationCheck.measure(try context.store.loadConfig())
            let report = try StatusReport(context: context, location: location)
            if global.json { try Console.json(report) } else { Console.out(report.text) }
            return true
        }
    }
}
