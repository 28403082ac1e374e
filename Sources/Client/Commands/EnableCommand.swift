import ArgumentParser

struct EnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Switch segments on, then apply.")

    @OptionGroup var segments: SegmentSwitch

    func run() async throws { try await segments.run(enabled: true) }
}
