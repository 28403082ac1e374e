import HostsCore

/// The checks `add` makes before a segment enters the configuration.
enum SegmentAdding {
    /// Fetches a new remote segment once and caches it; throws (adding nothing) if that fails.
    static func fetchFirst(_ segment: SegmentConfig, context: ClientContext, settings: Settings) async throws
        -> ApplyHints
    {
        var probe = segment
        probe.enabled = true
        let config = ClientConfig(segments: [probe], settings: settings)
        let sync = SegmentSync(
            store: context.store, fetcher: RemoteFetcher(),
            limits: FetchLimits(timeout: settings.timeout, maxBytes: settings.maxBytes))
        // Leftovers of an earlier segment with this name must not be revalidated.
        try context.store.removeCache(segment.name)
        let results = try await sync.fetch(config, force: true)
        if let first = results.first, case .failed(let reason) = first.outcome {
            throw ClientError.firstFetchFailed(name: segment.name, reason: reason)
        }
        try sync.record(results, config: config)
        var hints = ApplyHints()
        if let first = results.first, let bytes = first.bytes, let entries = first.entries {
            hints.fetched[segment.name] = bytes
            hints.parsed[segment.name] = entries
        }
        return hints
    }

    /// Parses local content strictly; returns the entry count.
    static func validateLocal(_ bytes: [UInt8], source: String) throws -> Int {
        do {
            return try StrictParser.parse(bytes, source: source).count
        } catch {
            throw ClientError.invalidLocalContent(error.description)
        }
    }
}
