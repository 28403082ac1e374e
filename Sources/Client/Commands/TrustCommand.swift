import ArgumentParser

/// `hosts-client trust NAME …`: change what an existing remote segment accepts (key rotation, policy, CA).
struct TrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust",
        abstract: "Change a remote segment's pinned keys, policy or CA, then fetch it again and apply.",
        discussion: """
            Options given replace the segment's current ones; the others stay. Rotating keys: pin old and new \
            (--public-key OLD,NEW) before the generator switches, then pin only the new one.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Remote segment name.") var name: String
    @OptionGroup(title: "Trust") var trust: TrustOptions
    @Flag(help: "Remove every pinned key (the segment accepts unsigned content again).") var unpin = false
    @Flag(help: "Only change the configuration; do not fetch or write the hosts file.") var noApply = false

    func validate() throws {
        if trust.isEmpty && !unpin { throw ValidationError("give at least one trust option (or --unpin)") }
    }

    func run() async throws {
        try await global.run { context in
            let changed = try await context.changeConfig(apply: false) { config in
                guard let index = config.index(of: name) else { throw ClientError.unknownSegment(name) }
                var segment = config.segments[index]
                guard segment.kind == .remote, let url = segment.url else {
                    throw ClientError.invalidArguments("segment '\(name)' is local; trust options are for remote ones")
                }
                var current = segment.trust
                if unpin {
                    current?.publicKeys = []
                    current?.profiles = []
                    current?.maxAge = nil
                }
                segment.trust = try trust.applied(to: current, url: url)
                config.segments[index] = segment
                Console.out("segment \(name): " + TrustSummary(segment.trust).text)
            }
            guard changed, !noApply else { return changed }
            return try SyncOperation.verdict(await SyncOperation(context: context, force: true, only: [name]).run())
        }
    }
}
