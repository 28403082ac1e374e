extension ClientContext {
    /// Under the lock: load the config, let `change` edit it, save it, then apply (unless `apply` is false).
    ///
    /// The hosts file's writability is checked before anything is saved, so a user without the rights gets the
    /// "run with sudo" message and no half-done change.
    func changeConfig(apply: Bool, _ change: (inout ClientConfig) async throws -> Void) async throws -> Bool {
        let lock = try lock()
        defer { lock.release() }
        var config = try store.loadConfig()
        if apply { try checkHostsWritable(config) }
        let before = config
        try await change(&config)
        if config != before { try store.saveConfig(config) }
        guard apply else { return true }
        let report = try applier(config).apply(config: config)
        return ApplyOutput.print(report, hostsFile: paths.hostsFile)
    }
}
