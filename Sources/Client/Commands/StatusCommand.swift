import ArgumentParser

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per segment: on/off, source, last fetch, entries, ETag, age, conflicts; and whether the hosts "
            + "file matches what the client would write.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.run { context in
            let report = try StatusReport(context: context)
            if global.json { try Console.json(report) } else { Console.out(report.text) }
            return true
        }
    }
}
