import ArgumentParser

struct DisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Switch segments off (their entries leave the hosts file), then apply.")

    @OptionGroup var segments: SegmentSwitch

    func run() async throws { try await segments.run(enabled: false) }
}
