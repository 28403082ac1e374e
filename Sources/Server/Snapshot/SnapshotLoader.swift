import Foundation
import HostsCore

/// Turns the published directory into snapshots. It remembers what it saw on the last poll, so a poll that
/// finds nothing changed costs one directory listing, and a file that failed validation is not parsed again
/// until it changes.
struct SnapshotLoader: Sendable {
    let directory: PublishedDirectory
    private var seen: [String: PublishedDirectory.Entry] = [:]
    /// Files refused on an earlier poll and not changed since (index.json's problems are kept apart).
    private var refused: [String: LoadIssue] = [:]
    private var indexMetadata: [String: ProfileRecord] = [:]
    /// The index's views that passed ``ViewRecord/validate(profiles:)``.
    private var views: [ViewRecord] = []
    private var indexIssue: LoadIssue?
    private var viewIssues: [LoadIssue] = []
    private var generation = -1

    /// How /healthz names a problem with the directory itself: never its path.
    static let directoryName = "published directory"

    init(directory: PublishedDirectory) {
        self.directory = directory
    }

    /// Reads what changed since the last call and returns a new snapshot built on `current`,
    /// or nil when the directory is exactly as it was.
    ///
    /// A file that cannot be used — refused by ``PublishedDirectory`` (not a regular file, a link leading
    /// outside), unreadable, invalid, empty, or named like a profile with a name that is not one — is
    /// reported in the snapshot's issues, and the version served so far (if any) keeps being served.
    mutating func reload(from current: Snapshot, now: Int64 = Int64(Date().timeIntervalSince1970)) -> Snapshot? {
        let listing: [String: PublishedDirectory.Entry]
        do {
            listing = try directory.list().filter { PublishedLayout.kind(of: $0.key) != .other }
        } catch {
            // Keep serving what was loaded; say why nothing new is.
            let issue = LoadIssue(file: Self.directoryName, line: 0, reason: error.reason)
            if current.issues == [issue] { return nil }
            seen = [:]
            return build(current.profiles, current.signatures, [issue], now: now)
        }
        if listing == seen, generation >= 0 { return nil }

        var nextSeen: [String: PublishedDirectory.Entry] = [:]
        let index = PublishedLayout.indexFile
        if listing[index] != seen[index] {
            if loadIndex(listing[index]) { nextSeen[index] = listing[index] }
        } else {
            nextSeen[index] = listing[index]
        }

        var profiles: [String: PublishedProfile] = [:]
        var signatures: [String: Representation] = [:]
        var nextRefused: [String: LoadIssue] = [:]
        for (file, entry) in listing {
            switch PublishedLayout.kind(of: file) {
            case .index, .other:
                continue
            case .invalidName:
                nextSeen[file] = entry
                nextRefused[file] = LoadIssue(
                    file: file, line: 0,
                    reason: "not a valid profile name (a-z, 0-9 and '-', not first; at most 63); not served")
            case .profile(let name):
                let previous = current.profiles[name]
                switch entry {
                case .refused(let reason):
                    nextSeen[file] = entry
                    nextRefused[file] = LoadIssue(file: file, line: 0, reason: reason)
                    profiles[name] = previous
                case .file(let stamp):
                    if seen[file] == entry, let previous, previous.stamp == stamp {
                        profiles[name] = previous
                        nextSeen[file] = entry
                        continue
                    }
                    if seen[file] == entry, let issue = refused[file] {
                        nextRefused[file] = issue
                        nextSeen[file] = entry
                        profiles[name] = previous
                        continue
                    }
                    switch loadProfile(name: name, file: file, previous: previous?.representation, now: now) {
                    case .success(let profile):
                        profiles[name] = profile
                        nextSeen[file] = .file(profile.stamp)
                    case .failure(let failure):
                        profiles[name] = previous
                        if failure.transient { continue }  // not marked seen: read again on the next poll
                        nextRefused[file] = failure.issue
                        nextSeen[file] = entry
                    }
                }
            case .signature(let name):
                let previous = current.signatures[name]
                switch entry {
                case .refused(let reason):
                    nextSeen[file] = entry
                    nextRefused[file] = LoadIssue(file: file, line: 0, reason: reason)
                    signatures[name] = previous
                case .file:
                    if seen[file] == entry {
                        nextSeen[file] = entry
                        signatures[name] = previous
                        if let issue = refused[file] { nextRefused[file] = issue }
                        continue
                    }
                    do {
                        let loaded = try directory.read(file)
                        let sha256 = SHA256Hex.of(loaded.bytes)
                        signatures[name] = Representation(
                            bytes: loaded.bytes, sha256: sha256, contentType: "application/json",
                            lastModified: Self.firstSeen(sha256: sha256, previous: previous, record: nil, now: now))
                        nextSeen[file] = .file(loaded.stamp)
                    } catch {
                        signatures[name] = previous
                        if error.transient { continue }
                        nextRefused[file] = LoadIssue(file: file, line: 0, reason: error.reason)
                        nextSeen[file] = entry
                    }
                }
            }
        }
        for (name, profile) in profiles {
            profiles[name] = withMetadata(profile)
        }
        signatures = signatures.filter { profiles[$0.key] != nil }
        seen = nextSeen
        refused = nextRefused
        var issues = refused.values.sorted { $0.file < $1.file }
        if let indexIssue { issues.append(indexIssue) }
        issues += viewIssues
        return build(profiles, signatures, issues, now: now)
    }

    private mutating func build(
        _ profiles: [String: PublishedProfile], _ signatures: [String: Representation], _ issues: [LoadIssue],
        now: Int64
    ) -> Snapshot {
        generation += 1
        return Snapshot(
            profiles: profiles, signatures: signatures, views: views, issues: issues, generation: generation,
            builtAt: now)
    }

    private struct LoadFailure: Error {
        var issue: LoadIssue
        var transient: Bool
    }

    /// When this server first saw these bytes, for Last-Modified: kept from the version served so far when
    /// the bytes are the same (a touch, a rewrite with the same content), else the index's `changed_at` when
    /// it describes these very bytes (so a restart keeps the date; never in the future), else now. Never the
    /// file's mtime, which `cp -p`, `rsync -t` or a restore from backup set to any time at all.
    static func firstSeen(sha256: String, previous: Representation?, record: ProfileRecord?, now: Int64) -> Int64 {
        if let previous, previous.sha256 == sha256 { return previous.lastModified }
        if let record, record.sha256 == sha256 { return min(now, Int64(record.changedAt.timeIntervalSince1970)) }
        return now
    }

    private func loadProfile(name: String, file: String, previous: Representation?, now: Int64)
        -> Result<PublishedProfile, LoadFailure>
    {
        let loaded: (bytes: [UInt8], stamp: FileStamp)
        do {
            loaded = try directory.read(file)
        } catch {
            return .failure(
                LoadFailure(issue: LoadIssue(file: file, line: 0, reason: error.reason), transient: error.transient))
        }
        let entries: [HostsEntry]
        do {
            entries = try StrictParser.parse(loaded.bytes, source: file)
        } catch {
            return .failure(
                LoadFailure(issue: LoadIssue(file: file, line: error.line, reason: error.reason), transient: false))
        }
        // Served, it would empty every subscriber's names at once: a truncated copy, an empty ConfigMap key.
        guard !entries.isEmpty else {
            return .failure(
                LoadFailure(issue: LoadIssue(file: file, line: 0, reason: "no entries; not served"), transient: false))
        }
        let sha256 = SHA256Hex.of(loaded.bytes)
        let representation = Representation(
            bytes: loaded.bytes, sha256: sha256, contentType: "text/plain; charset=utf-8",
            lastModified: Self.firstSeen(sha256: sha256, previous: previous, record: indexMetadata[name], now: now))
        return .success(
            PublishedProfile(name: name, stamp: loaded.stamp, entries: entries.count, representation: representation))
    }

    /// Loads index.json (nil: there is none). A refused, unreadable or invalid index is reported and the last
    /// good one stays in force. Returns false when the read should be tried again on the next poll.
    private mutating func loadIndex(_ entry: PublishedDirectory.Entry?) -> Bool {
        let file = PublishedLayout.indexFile
        guard let entry else {
            indexIssue = nil
            indexMetadata = [:]
            views = []
            viewIssues = []
            return true
        }
        if case .refused(let reason) = entry {
            indexIssue = LoadIssue(file: file, line: 0, reason: reason)
            return true
        }
        let index: ProfileIndex
        do {
            index = try ProfileIndex.decode(Data(try directory.read(file).bytes))
        } catch let error as DirectoryError {
            if error.transient { return false }
            indexIssue = LoadIssue(file: file, line: 0, reason: error.reason)
            return true
        } catch {
            indexIssue = LoadIssue(file: file, line: 0, reason: "not a valid index: \(error)")
            return true
        }
        indexIssue = nil
        indexMetadata = [:]
        for record in index.profiles { indexMetadata[record.name] = record }
        // The generator checked them; a hand-edited index may not be: a bad view is refused, not half-served.
        let names = Set(index.profiles.map(\.name))
        views = []
        viewIssues = []
        for view in index.views {
            do {
                try view.validate(profiles: names)
                views.append(view)
            } catch {
                viewIssues.append(LoadIssue(file: file, line: 0, reason: "view '\(view.name)' refused: \(error)"))
            }
        }
        return true
    }

    /// Description and dates come from index.json; the dates only when the record describes the very
    /// content being served (same sha256), else they would belong to another version.
    private func withMetadata(_ profile: PublishedProfile) -> PublishedProfile {
        var profile = profile
        let record = indexMetadata[profile.name]
        profile.description = record?.description
        if let record, record.sha256 == profile.representation.sha256 {
            profile.generatedAt = ISO8601.format(Int64(record.generatedAt.timeIntervalSince1970))
            profile.changedAt = ISO8601.format(Int64(record.changedAt.timeIntervalSince1970))
        } else {
            profile.generatedAt = nil
            profile.changedAt = nil
        }
        return profile
    }
}
