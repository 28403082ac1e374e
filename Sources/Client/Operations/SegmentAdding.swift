import HostsCore

/// The checks `add` makes before a segment enters the configuration.
enum SegmentAdding {
    /// Fetches a new remote segment once, without the lock and without writing anything; throws if that fails.
    static func fetchFirst(_ segment: SegmentConfig, context: ClientContext, settings: Settings) async throws
        -> SegmentSync.Fetched
    {
        var probe = segment
        probe.enabled = true
        let config = ClientConfig(segments: [probe], settings: settings)
        let limits = FetchLimits(timeout: settings.timeout, maxBytes: settings.maxBytes)
        // `fresh`: leftovers of an earlier segment with this name must not be revalidated.
        let results = try await RemoteFetcher.with(maxBytes: limits.maxBytes) { fetcher in
            try await SegmentSync(store: context.store, fetcher: fetcher, limits: limits)
                .fetch(config, force: true, fresh: true)
        }
        guard var first = results.first else {
            throw ClientError.firstFetchFailed(name: segment.name, reason: "nothing fetched")
        }
        if case .failed(let reason, let refused) = first.outcome {
            throw ClientError.firstFetchFailed(name: segment.name, reason: reason, refused: refused)
        }
        first.segment = segment
        return first
    }

    /// Under the lock, once `config` holds the segment: replaces any leftovers with the first fetch.
    static func record(_ first: SegmentSync.Fetched, config: ClientConfig, context: ClientContext) throws
        -> ApplyHints
    {
        try context.store.removeCache(first.name)
        let stored = try SegmentSync.record([first], config: config, store: context.store)
        var hints = ApplyHints()
        if stored.contains(first.name), let bytes = first.bytes, let entries = first.entries {
            hints.fetched[first.name] = bytes
            hints.parsed[first.name] = entries
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
