import Foundation
import HostsCore

extension SegmentSync {
    /// Stores what was fetched, under the state-dir lock: new content and metadata, or the failure next to the
    /// untouched cached copy. Returns the names whose new content was stored.
    ///
    /// The fetch ran without the lock, so the world may have moved meanwhile; a result is dropped (and reported)
    /// when its segment was removed or re-pointed, when a fetch that started later was already recorded (two syncs
    /// at once: the newer one wins, whichever finishes last), or when its signature's serial is below the one
    /// recorded since.
    ///
    /// "Started later" is read from the wall clock, which can jump (a hostile network's NTP, a VM restored from a
    /// snapshot, a bad RTC at boot): a recorded attempt later than `now` cannot be a fetch that started after this
    /// one, only a clock that was ahead then — trusted, it would keep every result out until the clock reached it.
    static func record(
        _ results: [Fetched], config: ClientConfig, store: StateStore, now: Date = Date()
    ) throws -> Set<String> {
        var stored: Set<String> = []
        for result in results {
            if case .notDue = result.outcome { continue }
            guard let segment = config.segment(named: result.name), let url = segment.url,
                segment.url == result.segment?.url, segment.trust == result.segment?.trust
            else {
                Console.err("segment \(result.name): its configuration changed during the fetch; result not kept")
                continue
            }
            var meta = try store.loadMeta(result.name) ?? SegmentMeta(url: url)
            if meta.url != url { meta = SegmentMeta(url: url) }
            if let attempted = meta.attemptedAt, attempted > result.startedAt, attempted <= now {
                Console.err(
                    "segment \(result.name): a fetch that started later was recorded first; this result not kept")
                continue
            }
            if let signature = result.signature, let floor = meta.serialFloor(for: signature.profile),
                signature.serial < floor
            {
                Console.err(
                    "segment \(result.name): serial \(signature.serial) is below \(floor), recorded meanwhile; "
                        + "this result not kept")
                continue
            }
            meta.attemptedAt = result.startedAt
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
                meta.fetchedAt = result.startedAt
                meta.lastResult = "200 OK"
                meta.error = nil
                meta.entries = entries
                meta.bytes = bytes.count
                meta.sha256 = SHA256Hex.of(bytes)
                let dropped = result.dropped ?? []
                meta.dropped = dropped.isEmpty ? nil : Array(dropped.prefix(SegmentMeta.droppedKept))
                meta.droppedCount = dropped.count > SegmentMeta.droppedKept ? dropped.count : nil
                meta.recordSignature(result.signature)
                meta.redirect = result.redirect
                meta.recordView(result.viewProfile, entries: entries)
                stored.insert(result.name)
            case .notModified:
                meta.fetchedAt = result.startedAt
                meta.lastResult = "304 Not Modified"
                meta.error = nil
                meta.redirect = result.redirect
                if result.viewProfile != nil { meta.viewProfile = result.viewProfile }
                if result.signature != nil { meta.recordSignature(result.signature) }
            case .failed(let reason, _):
                meta.lastResult = "failed"
                meta.error = reason
            }
            try store.saveMeta(meta, for: result.name)
        }
        return stored
    }
}
