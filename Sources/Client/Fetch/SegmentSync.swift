import Foundation
import HostsCore
import NIOCore

/// Fetches the remote segments that are due, all at once, and keeps each cache honest: new content only after
/// it passed the strict parser (and the shrink guard); on any failure the last good copy stays and the segment is
/// marked stale.
///
/// Fetching takes no lock and writes nothing: the state-dir lock is held only by ``record(_:config:store:)``
/// and the apply after it, so `disable`, `restore` and the other local commands never wait for a server.
struct SegmentSync {
    /// What happened to one segment in this sync.
    enum Outcome: Sendable, Equatable {
        case updated(entries: Int, etag: String?)
        case notModified
        /// `refused`: a file the segment names (token, CA) was refused for safety (exit 78).
        case failed(String, refused: Bool = false)
        case notDue
    }

    struct Fetched: Sendable {
        var name: String
        var outcome: Outcome
        /// The configuration the fetch was made for: if the segment changed meanwhile, nothing is recorded.
        var segment: SegmentConfig?
        /// When the fetch started; of two syncs racing, the one that started later is the one recorded.
        var startedAt = Date()
        /// The validated new content (for `.updated`), and its entries (before the policy: the merge applies it).
        var bytes: [UInt8]?
        var entries: HostsLines?
        var response: FetchResponse?
        /// The verified signature (segments with pinned keys).
        var signature: ProfileSignature?
        /// Lines the policy kept out (for `.updated`).
        var dropped: [DroppedEntry]?
        /// Where the server sent the request, when it redirected.
        var redirect: FetchRedirect?
        /// The profile a server-side view chose (the segment's answer depends on where this machine is).
        var viewProfile: String?
    }

    var store: StateStore
    var fetcher: RemoteFetcher
    var limits: FetchLimits
    /// Segments whose shrink the user accepted (`sync --accept-shrink NAME`).
    var acceptShrink: Set<String> = []
    /// `sync --force`: every shrink is accepted.
    var acceptAllShrinks = false

    /// Due: never fetched, last attempt failed, `every` (default 5m) has passed since the last good fetch, or that
    /// fetch is dated in the future (the clock was ahead then or is behind now: the date says nothing, and waiting
    /// for it would freeze the segment until the clock got there).
    static func isDue(_ segment: SegmentConfig, meta: SegmentMeta?, now: Date) -> Bool {
        guard let meta, let fetchedAt = meta.fetchedAt, meta.error == nil, meta.url == segment.url else { return true }
        if fetchedAt > now { return true }
        let every = segment.every ?? Settings.defaultEvery
        return now.timeIntervalSince(fetchedAt) >= every.seconds
    }

    /// Fetches (concurrently) the enabled remote segments that are due — or all of them with `force`.
    /// `fresh`: ignore whatever is cached under these names (a new segment must not revalidate leftovers).
    /// `refetch`: fetch these even when not due (`watch` after a move: a view's answer depends on where we are).
    func fetch(
        _ config: ClientConfig, only names: Set<String>? = nil, force: Bool, refetch: Set<String> = [],
        fresh: Bool = false, now: Date = Date()
    ) async throws -> [Fetched] {
        var jobs: [(SegmentConfig, SegmentMeta?)] = []
        var results: [Fetched] = []
        for segment in config.segments where segment.kind == .remote && segment.enabled {
            if let names, !names.contains(segment.name) { continue }
            let meta = fresh ? nil : try store.loadMeta(segment.name)
            if force || refetch.contains(segment.name) || Self.isDue(segment, meta: meta, now: now) {
                jobs.append((segment, meta))
            } else {
                results.append(Fetched(name: segment.name, outcome: .notDue, segment: segment))
            }
        }
        let fetched = await withTaskGroup(of: Fetched.self) { group in
            for (segment, meta) in jobs {
                group.addTask { await fetchOne(segment, meta: meta, fresh: fresh) }
            }
            var collected: [Fetched] = []
            for await item in group { collected.append(item) }
            return collected
        }
        results += fetched
        let order = Dictionary(uniqueKeysWithValues: config.segments.enumerated().map { ($1.name, $0) })
        return results.sorted { order[$0.name, default: 0] < order[$1.name, default: 0] }
    }

    private func fetchOne(_ segment: SegmentConfig, meta: SegmentMeta?, fresh: Bool) async -> Fetched {
        let startedAt = Date()
        do {
            var result = try await fetchChecked(segment, meta: meta, fresh: fresh)
            result.startedAt = startedAt
            return result
        } catch {
            return Fetched(
                name: segment.name,
                outcome: .failed(VisibleText.escaped(error.describe(segment: segment.name)), refused: error.refused),
                segment: segment,
                startedAt: startedAt)
        }
    }

    /// The fetch, then (pinned keys) the signature checks, the strict parse, the policy and the shrink guard; the
    /// first that fails is thrown and nothing of this fetch is kept. One deadline covers it all.
    private func fetchChecked(_ segment: SegmentConfig, meta: SegmentMeta?, fresh: Bool) async throws(SegmentFailure)
        -> Fetched
    {
        let url = segment.url ?? ""
        let trust = segment.trust ?? SegmentTrust()
        let deadline = RemoteFetcher.deadline(for: limits)
        // A cached copy from another URL (the segment was re-pointed) must not be revalidated with its ETag.
        let sameURL = meta?.url == url
        let cached = sameURL && !fresh ? ((try? store.loadCache(segment.name)) ?? nil) : nil
        let policy: SegmentPolicy
        do {
            policy = try trust.policy()
        } catch {
            throw .content("policy: \(error.description)")
        }

        var answer = try await get(
            url, etag: cached == nil ? nil : meta?.etag, lastModified: cached == nil ? nil : meta?.lastModified,
            trust: trust, deadline: deadline)
        var signature: ProfileSignature?
        if trust.isPinned {
            let check = SignatureCheck(
                url: url, trust: trust, accepted: sameURL ? meta : nil, fetcher: fetcher, limits: limits,
                deadline: deadline)
            var document = try await check.fetchSignature()
            do {
                try check.verify(document, content: try content(of: answer.response, cached: cached), now: Date())
            } catch .trust(.digestMismatch) {
                // The generator renames the profile into place before its signature: a fetch between the two
                // sees a mismatch. Fetch both once more before calling it tampering.
                answer = try await get(url, etag: nil, lastModified: nil, trust: trust, deadline: deadline)
                document = try await check.fetchSignature()
                try check.verify(document, content: try content(of: answer.response, cached: cached), now: Date())
            }
            signature = document
            // What a signed view chose is the profile its signature names, not what the header claims.
            if answer.viewProfile != nil { answer.viewProfile = document.profile }
        }

        switch answer.response {
        case .notModified:
            return Fetched(
                name: segment.name, outcome: .notModified, segment: segment, response: answer.response,
                signature: signature, redirect: answer.redirect, viewProfile: answer.viewProfile)
        case .content(let bytes, let etag, _):
            let lines: HostsLines
            do {
                lines = try HostsLines(parsing: bytes, source: url, lenient: trust.lenient)
            } catch {
                throw .content(error.description)
            }
            let applied = policy.apply(to: lines)
            let (count, dropped) = (applied.keptCount, applied.dropped)
            // A signed copy is what its signer meant; an unsigned one that empties or halves the segment is more
            // likely a broken proxy or a half-finished publish than a real change.
            // A view's X-PseudoDNS-Profile header is not authenticated: any server (or proxy) can name a new
            // profile with an empty body, so a switch never turns the guard off. It is judged against what the
            // named profile last held here when this machine was there before, else against the cached copy.
            // Only a pinned segment skips the guard: its signature names a profile among the --profile-name ones.
            if !trust.isPinned, !acceptAllShrinks, !acceptShrink.contains(segment.name), cached != nil,
                let previous = Self.shrinkBase(meta, chosen: answer.viewProfile),
                ShrinkGuard.holds(previous: previous, new: count)
            {
                throw .shrink(name: segment.name, previous: previous, new: count)
            }
            return Fetched(
                name: segment.name, outcome: .updated(entries: count, etag: etag), segment: segment, bytes: bytes,
                entries: lines, response: answer.response, signature: signature, dropped: dropped,
                redirect: answer.redirect, viewProfile: answer.viewProfile)
        }
    }

    /// The entry count a new copy is compared with: the named view profile's last size here when the view
    /// chose another profile than the cached copy's and this one was seen before, else the cached copy's.
    static func shrinkBase(_ meta: SegmentMeta?, chosen: String?) -> Int? {
        if let chosen, chosen != meta?.viewProfile, let known = meta?.viewEntries?[chosen] { return known }
        return meta?.entries
    }

    private func get(
        _ url: String, etag: String?, lastModified: String?, trust: SegmentTrust, deadline: NIODeadline
    ) async throws(SegmentFailure) -> FetchAnswer {
        let token = try trust.bearerToken()
        let ca = try trust.caBundle()
        do {
            return try await fetcher.fetch(
                url, etag: etag, lastModified: lastModified, limits: limits, ca: ca, token: token,
                deadline: deadline)
        } catch {
            throw .fetch(error.reason)
        }
    }

    /// The bytes a response stands for: its body, or the cached copy for a 304.
    private func content(of response: FetchResponse, cached: [UInt8]?) throws(SegmentFailure) -> [UInt8] {
        switch response {
        case .content(let bytes, _, _): return bytes
        case .notModified:
            guard let cached else { throw .fetch("304 Not Modified without a cached copy") }
            return cached
        }
    }
}

/// An unsigned answer that takes away every entry, or more than half of them, is held back until the user says so.
enum ShrinkGuard {
    static func holds(previous: Int, new: Int) -> Bool {
        guard previous > 0 else { return false }
        return new == 0 || (previous - new) * 2 > previous
    }
}
