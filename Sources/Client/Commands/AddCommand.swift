import ArgumentParser
import HostsCore

struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a remote segment (--url) or a local one (--local), last in order, then apply.",
        discussion: "A remote segment is fetched at once; if that first fetch fails, nothing is added."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Segment name: lowercase letters, digits and '-'.") var name: String
    @Option(help: "URL of a remote segment (http:// or https://).") var url: String?
    @Option(help: "How often sync fetches a remote segment (e.g. 5m, 1h).") var every: String?
    @Flag(help: "Add a local segment (edit it with: hosts-client edit NAME).") var local = false
    @Option(help: "Initial content of a local segment, from this file.") var from: String?
    @Flag(help: "Add the segment switched off.") var disabled = false
    @Option(
        help: ArgumentHelp(
            "Active only where RULE holds (repeatable: all must hold): network=CIDR, interface=NAME, "
                + "reachable=URL, or 'not RULE'.", valueName: "RULE"))
    var when: [String] = []
    @Flag(help: "Only change the configuration; do not write the hosts file.") var noApply = false
    @OptionGroup(title: "Trust (remote segments)") var trust: TrustOptions

    func validate() throws {
        guard (url != nil) != local else { throw ValidationError("give either --url URL or --local") }
        if from != nil && !local { throw ValidationError("--from only goes with --local") }
        if every != nil && url == nil { throw ValidationError("--every only goes with --url") }
        if !trust.isEmpty && url == nil { throw ValidationError("trust options only go with --url") }
    }

    /// `--from FILE`, read the trusted way (a FIFO or a device cannot hold the lock taken here), at most as large
    /// as a remote segment may be.
    static func source(_ path: String, maxBytes: Int) throws -> [UInt8] {
        do {
            return try TrustedFile.read(path, .segmentSource(maxBytes: maxBytes))
        } catch {
            throw ClientError.file(error)
        }
    }

    func run() async throws {
        try await global.run { context in
            try ClientContext.validateName(name)
            let interval = try every.map { text throws(IntervalError) in try SettingRanges.every(text) }
            let rules = try when.map { text throws(UsageError) in try SegmentRule(parsing: text) }
            if let url {
                let segment = SegmentConfig(
                    name: name, kind: .remote, url: url, every: interval, enabled: !disabled,
                    trust: try trust.applied(to: nil, url: url), when: rules.isEmpty ? nil : rules)
                // The first fetch runs before the lock is taken; the name is checked again under it.
                let snapshot = try context.store.loadConfig()
                guard snapshot.index(of: name) == nil else { throw ClientError.segmentExists(name) }
                if !noApply { try context.checkHostsWritable(snapshot) }
                let first = try await SegmentAdding.fetchFirst(segment, context: context, settings: snapshot.settings)
                return try await context.changeConfigWithHints(apply: !noApply) { config in
                    try config.add(segment)
                    let hints = try SegmentAdding.record(first, config: config, context: context)
                    Console.out("added remote segment \(name) (\(url))")
                    for warning in TrustSummary.warnings(for: segment) { Console.err("warning: \(warning)") }
                    return hints
                }
            }
            return try await context.changeConfigWithHints(apply: !noApply) { config in
                guard config.index(of: name) == nil else { throw ClientError.segmentExists(name) }
                let bytes = try from.map { path in try Self.source(path, maxBytes: config.settings.maxBytes) } ?? []
                let entries = try SegmentAdding.validateLocal(bytes, source: from ?? name)
                try context.store.saveLocal(bytes, for: name)
                let segment = SegmentConfig(
                    name: name, kind: .local, enabled: !disabled, when: rules.isEmpty ? nil : rules)
                try config.add(segment)
                Console.out("added local segment \(name) (\(entries) entries)")
                for warning in TrustSummary.warnings(for: segment) { Console.err("warning: \(warning)") }
                return ApplyHints()
            }
        }
    }
}
