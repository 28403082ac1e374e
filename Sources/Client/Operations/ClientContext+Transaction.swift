import HostsCore

/// Content a command already has in memory (a segment it just fetched), handed to the apply that follows.
struct ApplyHints {
    var fetched: [String: [UInt8]] = [:]
    var parsed: [String: HostsLines] = [:]
}

extension ClientContext {
    /// Under the lock: load the config, let `change` edit it, save it, then apply (unless `apply` is false).
    ///
    /// The hosts file's writability is checked before anything is saved, so a user without the rights gets the
    /// "run with sudo" message and no half-done change.
    func changeConfig(apply: Bool, _ change: (inout ClientConfig) async throws -> Void) async throws -> Bool {
        try await changeConfigWithHints(apply: apply) { config in
            try await change(&config)
            return ApplyHints()
        }
    }

    /// Same, for a change that already holds new segment content in memory (`add` after its first fetch).
    func changeConfigWithHints(apply: Bool, _ change: (inout ClientConfig) async throws -> ApplyHints) async throws
        -> Bool
    {
        // `--when` canaries are measured before the lock is taken; only rules this very change adds are measured
        // under it (bounded by the canary timeout).
        var location = apply ? await LocationCheck.measure((try? store.loadConfig()) ?? ClientConfig()) : nil
        let lock = try lock()
        defer { lock.release() }
        var config = try store.loadConfig()
        if apply { try checkHostsWritable(config) }
        let before = config
        let hints = try await change(&config)
        if config != before { try store.saveConfig(config) }
        guard apply else { return true }
        if location?.covers(config) != true { location = await LocationCheck.measure(config) }
        let effective = location?.effective(config) ?? config
        let report = try applier(config).apply(config: effective, hints: consume hints)
        return ApplyOutput.print(report, hostsFile: paths.hostsFile)
    }
}
