import ArgumentParser

/// `hosts-client when NAME RULE…`: where a segment is active, changed after `add`.
struct WhenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "when",
        abstract: "Show or set where a segment is active (all rules must hold), then apply.",
        discussion: """
            Rules: network=CIDR (an interface that is up and running has an address in it), interface=NAME (it \
            exists, is up and has a carrier), reachable=URL (a GET answers 2xx within 2s; a redirect does not \
            hold), and 'not RULE'. enable/disable still override: a disabled segment stays off wherever it is. \
            `hosts-client watch` notices moves and applies by itself.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Segment name.") var name: String
    @Argument(help: "Rules replacing the segment's current ones.") var rules: [String] = []
    @Flag(help: "Remove every rule (the segment is active everywhere).") var clear = false
    @Flag(help: "Only change the configuration; do not write the hosts file.") var noApply = false

    func validate() throws {
        if clear && !rules.isEmpty { throw ValidationError("give rules or --clear, not both") }
    }

    func run() async throws {
        try await global.run { context in
            let parsed = try rules.map { text throws(UsageError) in try SegmentRule(parsing: text) }
            guard clear || !parsed.isEmpty else {
                let config = try context.store.loadConfig()
                let segment = try context.requireSegment(name, in: config)
                let location = await LocationCheck.measure(config)
                if global.json {
                    try Console.json(location.values(for: segment))
                } else {
                    for value in location.values(for: segment) {
                        Console.out("\(value.rule): \(value.holds ? "holds" : "does not hold") (\(value.detail))")
                    }
                    Console.out(
                        "\(name) is \(location.isActive(segment) ? "on" : "off"): \(location.reason(for: segment))")
                }
                return true
            }
            return try await context.changeConfig(apply: !noApply) { config in
                guard let index = config.index(of: name) else { throw ClientError.unknownSegment(name) }
                config.segments[index].when = clear ? nil : parsed
                Console.out(
                    "segment \(name): "
                        + (clear
                            ? "active everywhere"
                            : "active where " + parsed.map(\.description).joined(separator: " and ")))
                for warning in TrustSummary.warnings(for: config.segments[index]) {
                    Console.err("warning: \(warning)")
                }
            }
        }
    }
}
