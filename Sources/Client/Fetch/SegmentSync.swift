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
        /// The validated new content (for `.updated`), and its entries (before the policy: the merge applies it).
        var bytes: [UInt8]?
        var entries: HostsLines?
        var response: FetchResponse?
        /// The verified signature (segments with pinned keys).
        var signature: ProfileSignature?
        /// Lines the policy kept out (for `.updated`).
        var dropped: [DroppedEntry]?
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
        do {
            return try await fetchChecked(segment, meta: meta, store: store, fetcher: fetcher, limits: limits)
        } catch {
            return Fetched(name: segment.name, outcome: .failed(error.description))
        }
    }

    /// The fetch, then (pinned keys) the signature checks, the strict parse and the policy; the first that fails
    /// is thrown and nothing of this fetch is kept.
    private static func fetchChecked(
        _ segment: SegmentConfig, meta: SegmentMeta?, store: StateStore, fetcher: RemoteFetcher, limits: FetchLimits
    ) async throws(SegmentFailure) -> Fetched {
        let url = segment.url ?? ""
        let trust = segment.trust ?? SegmentTrust()
        // A cached copy from another URL (the segment was re-pointed) must not be revalidated with its ETag.
        let sameURL = meta?.url == url
        let cached = sameURL ? ((try? store.loadCache(segment.name)) ?? nil) : nil
        let policy: SegmentPolicy
        do {
            policy = try trust.policy()
        } catch {
            throw .content("policy: \(error.description)")
        }

        var response = try await get(
            url, etag: cached == nil ? nil : meta?.etag, lastModified: cached == nil ? nil : meta?.lastModified,
            trust: trust, fetcher: fetcher, limits: limits)
        var signature: ProfileSignature?
        if trust.isPinned {
            let check = SignatureCheck(
                url: url, trust: trust, minimumSerial: sameURL ? meta?.serial : nil, fetcher: fetcher, limits: limits)
            var document = try await check.fetchSignature()
            do {
                try check.verify(document, content: try content(of: response, cached: cached), now: Date())
            } catch .trust(.digestMismatch) {
                // The generator renames the profile into place before its signature: a fetch between the two
                // sees a mismatch. Fetch both once more before calling it tampering.
                response = try await get(
                    url, etag: nil, lastModified: nil, trust: trust, fetcher: fetcher, limits: limits)
                document = try await check.fetchSignature()
                try check.verify(document, content: try content(of: response, cached: cached), now: Date())
            }
            signature = document
        }

        switch response {
        case .notModified:
            return Fetched(name: segment.name, outcome: .notModified, response: response, signature: signature)
        case .content(let bytes, let etag, _):
            let lines: HostsLines
            do {
                lines = try HostsLines(parsing: bytes, source: url, lenient: trust.lenient)
            } catch {
                throw .content(error.description)
            }
            let applied = policy.apply(to: lines)
            let (count, dropped) = (applied.keptCount, applied.dropped)
            return Fetched(
                name: segment.name, outcome: .updated(entries: count, etag: etag), bytes: bytes, entries: lines,
                response: response, signature: signature, dropped: dropped)
        }
    }

    private static func get(
        _ url: String, etag: String?, lastModified: String?, trust: SegmentTrust, fetcher: RemoteFetcher,
        limits: FetchLimits
    ) async throws(SegmentFailure) -> FetchResponse {
        let token = try trust.bearerToken()
        do {
            return try await fetcher.fetch(
                url, etag: etag, lastModified: lastModified, limits: limits, caFile: trust.caFile, token: token)
        } catch {
            throw .fetch(error.reason)
        }
    }

    /// The bytes a response stands for: its body, or the cached copy for a 304.
    private static func content(of response: FetchResponse, cached: [UInt8]?) throws(SegmentFailure) -> [UInt8] {
        switch response {
        case .content(let bytes, _, _): return bytes
        case .notModified:
            guard let cached else { throw .fetch("304 Not Modified without a cached copy") }
            return cached
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
                meta.dropped = result.dropped.flatMap { $0.isEmpty ? nil : $0 }
                meta.recordSignature(result.signature)
            case .notModified:
                meta.fetchedAt = now
                meta.lastResult = "304 Not Modified"
                meta.error = nil
                if result.signature != nil { meta.recordSignature(result.signature) }
            case .failed(let reason):
                meta.lastResult = "failed"
                meta.error = reason
            }
            try store.saveMeta(meta, for: result.name)
        }
    }
}
