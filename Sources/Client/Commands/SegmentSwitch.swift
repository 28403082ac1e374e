import ArgumentParser

/// What `enable` and `disable` take, and the one thing both do with it: set the segments' `enabled`, then apply
/// unless told not to.
struct SegmentSwitch: ParsableArguments {
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Segment names.") var names: [String]
    @Flag(help: "Only change the configuration; do not write the hosts file.") var noApply = false

    func run(enabled: Bool) async throws {
        try await global.run { context in
            try await context.changeConfig(apply: !noApply) { config in
                for name in names { _ = try config.setEnabled(name, enabled) }
            }
        }
    }
}
