import Foundation
import HostsCore

/// Fetches the remote segments that are due, all at once, and keeps each cache honest: new content only after
/// it passed the strict parser; on any failure the last good copy stays and the segment is marked stale.
struct SegmentSync {
    /// What happened to one segment in this sync.
    enum Outcome: Sendable, Equatable {
        case updated(entries: Int, etag: String?)
        case notModified
        case failed(String)
        case notDue
    }

    struct Fetched: Sendable {
        var name: String
        var outcome: Outcome
        /// The validated new content (for `.updated`), and its entries.
        var bytes: [UInt8]?
        var entries: [HostsEntry]?
        var response: FetchResponse?
    }

    var store: StateStore
    var fetcher: RemoteFetcher
    var limits: FetchLimits

    /// Due: never fetched, last attempt failed, or `every` (default 5m) has passed since the last good fetch.
    static func isDue(_ segment: SegmentConfig, meta: SegmentMeta?, now: Date) -> Bool {
        guard let meta, let fetchedAt = meta.fetchedAt, meta.error == nil, meta.url == segment.url else { return true }
        let every = segment.every ?? Settings.defaultEvery
        return now.timeIntervalSince(fetchedAt) >= every.seconds
    }

    /// Fetches (concurrently) the enabled remote segments that are due — or all of them with `force`.
    func fetch(_ config: ClientConfig, only names: Set<String>? = nil, force: Bool, now: Date = Date()) async throws
        -> [Fetched]
    {
        var jobs: [(SegmentConfig, SegmentMeta?)] = []
        var results: [Fetched] = []
        for segment in config.segments where segment.kind == .remote && segment.enabled {
            if let names, !names.contains(segment.name) { continue }
            let meta = try store.loadMeta(segment.name)
            if force || Self.isDue(segment, meta: meta, now: now) {
                jobs.append((segment, meta))
            } else {
                results.append(Fetched(name: segment.name, outcome: .notDue))
            }
        }
        let fetcher = self.fetcher
        let limits = self.limits
        let store = self.store
        let fetched = await withTaskGroup(of: Fetched.self) { group in
            for (segment, meta) in jobs {
                group.addTask {
                    await Self.fetchOne(segment, meta: meta, store: store, fetcher: fetcher, limits: limits)
                }
            }
            var collected: [Fetched] = []
            for await item in group { collected.append(item) }
            return collected
        }
        results += fetched
        let order = Dictionary(uniqueKeysWithValues: config.segments.enumerated().map { ($1.name, $0) })
        return results.sorted { order[$0.name, default: 0] < order[$1.name, default: 0] }
    }

    private static func fetchOne(
        _ segment: SegmentConfig, meta: SegmentMeta?, store: StateStore, fetcher: RemoteFetcher, limits: FetchLimits
    ) async -> Fetched {
        let url = segment.url ?? ""
        // A cached copy from another URL (the segment was re-pointed) must not be revalidated with its ETag.
        let sameURL = meta?.url == url
        let hasCache = sameURL && ((try? store.loadCache(segment.name)) ?? nil) != nil
        do {
            let response = try await fetcher.fetch(
                url, etag: hasCache ? meta?.etag : nil, lastModified: hasCache ? meta?.lastModified : nil,
                limits: limits)
            switch response {
            case .notModified:
                guard hasCache else {
                    return Fetched(name: segment.name, outcome: .failed("304 Not Modified without a cached copy"))
                }
                return Fetched(name: segment.name, outcome: .notModified, response: response)
            case .content(let bytes, let etag, _):
                do {
                    let entries = try StrictParser.parse(bytes, source: url)
                    return Fetched(
                        name: segment.name, outcome: .updated(entries: entries.count, etag: etag), bytes: bytes,
                        entries: entries, response: response)
                } catch {
                    return Fetched(name: segment.name, outcome: .failed("invalid content: \(error.description)"))
                }
            }
        } catch {
            return Fetched(name: segment.name, outcome: .failed(error.description))
        }
    }

    /// Stores what was fetched: new content and metadata, or the failure next to the untouched cached copy.
    func record(_ results: [Fetched], config: ClientConfig, now: Date = Date()) throws {
        for result in results {
            guard let segment = config.segment(named: result.name), let url = segment.url else { continue }
            var meta = try store.loadMeta(result.name) ?? SegmentMeta(url: url)
            if meta.url != url { meta = SegmentMeta(url: url) }
            meta.attemptedAt = now
            switch result.outcome {
            case .notDue:
                continue
            case .updated(let entries, let etag):
                guard let bytes = result.bytes, case .content(_, _, let lastModified) = result.response else {
                    continue
                }
                // Content first, then the metadata that describes it: a crash in between only costs a re-fetch.
                try store.saveCache(bytes, for: result.name)
                meta.etag = etag
                meta.lastModified = lastModified
                meta.fetchedAt = now
                meta.lastResult = "200 OK"
                meta.error = nil
                meta.entries = entries
                meta.bytes = bytes.count
                meta.sha256 = SHA256Hex.of(bytes)
            case .notModified:
                meta.fetchedAt = now
                meta.lastResult = "304 Not Modified"
                meta.error = nil
            case .failed(let reason):
                meta.lastResult = "failed"
                meta.error = reason
            }
            try store.saveMeta(meta, for: result.name)
        }
    }
}
