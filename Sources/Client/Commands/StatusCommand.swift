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
            // A damaged config.json is the report's to show (with the way out), not a reason to fail here.
            let location = await LocationCheck.measure((try? context.store.loadConfig()) ?? ClientConfig())
            let report = try StatusReport(context: context, location: location)
            if global.json { try Console.json(report) } else { Console.out(report.text) }
            return true
        }
    }
}
