import Foundation
import HostsCore

/// Turns the published directory into snapshots. It remembers what it saw on the last poll, so a poll that
/// finds nothing changed costs one directory listing, and a file that failed validation is not parsed again
/// until it changes.
struct SnapshotLoader: Sendable {
    let directory: PublishedDirectory
    private var seen: [String: FileStamp] = [:]
    /// Files refused on an earlier poll and not changed since.
    private var refused: [String: LoadIssue] = [:]
    private var indexMetadata: [String: ProfileRecord] = [:]
    /// The index's views that passed ``ViewRecord/validate(profiles:)``.
    private var views: [ViewRecord] = []
    private var indexIssue: LoadIssue?
    private var viewIssues: [LoadIssue] = []
    private var generation = -1

    static let indexFile = "index.json"
    static let profileSuffix = ".hosts"
    static let signatureSuffix = ".hosts.sig"

    init(directory: PublishedDirectory) {
        self.directory = directory
    }

    /// Reads what changed since the last call and returns a new snapshot built on `current`,
    /// or nil when the directory is exactly as it was.
    mutating func reload(from current: Snapshot, now: Int64 = Int64(Date().timeIntervalSince1970)) -> Snapshot? {
        let listing: [String: FileStamp]
        do {
            listing = try directory.listRegularFiles().filter { Self.isPublished($0.key) }
        } catch {
            // Keep serving what was loaded; say why nothing new is.
            let issue = LoadIssue(file: directory.path, line: 0, reason: error.reason)
            if current.issues == [issue] { return nil }
            seen = [:]
            return build(current.profiles, current.signatures, [issue], now: now)
        }
        if listing == seen, generation >= 0 { return nil }

        if listing[Self.indexFile] != seen[Self.indexFile] { loadIndex(stamp: listing[Self.indexFile]) }

        var profiles: [String: PublishedProfile] = [:]
        var signatures: [String: Representation] = [:]
        var nextSeen: [String: FileStamp] = [:]
        var nextRefused: [String: LoadIssue] = [:]
        for (file, stamp) in listing {
            if let name = Self.profileName(file, suffix: Self.profileSuffix) {
                if let previous = current.profiles[name], previous.stamp == stamp, seen[file] == stamp {
                    profiles[name] = previous
                    nextSeen[file] = stamp
                    continue
                }
                if let issue = refused[file], seen[file] == stamp {
                    nextRefused[file] = issue
                    nextSeen[file] = stamp
                    if let previous = current.profiles[name] { profiles[name] = previous }
                    continue
                }
                switch loadProfile(name: name, file: file, previous: current.profiles[name]?.representation, now: now) {
                case .success(let profile):
                    profiles[name] = profile
                    nextSeen[file] = profile.stamp
                case .failure(let failure):
                    if let previous = current.profiles[name] { profiles[name] = previous }
                    if failure.transient { continue }  // not marked seen: read again on the next poll
                    nextRefused[file] = failure.issue
                    nextSeen[file] = stamp
                }
            } else if let name = Self.profileName(file, suffix: Self.signatureSuffix) {
                nextSeen[file] = stamp
                if seen[file] == stamp, let previous = current.signatures[name] {
                    signatures[name] = previous
                } else if let loaded = try? directory.read(file) {
                    let sha256 = SHA256Hex.of(loaded.bytes)
                    signatures[name] = Representation(
                        bytes: loaded.bytes, sha256: sha256, contentType: "application/json",
                        lastModified: Self.firstSeen(
                            sha256: sha256, previous: current.signatures[name], record: nil, now: now))
                } else {
                    nextSeen[file] = nil
                }
            } else if file == Self.indexFile {
                nextSeen[file] = stamp
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

    /// Whether the server has any use for a file of this name; everything else in the directory is ignored.
    static func isPublished(_ file: String) -> Bool {
        file == indexFile || profileName(file, suffix: profileSuffix) != nil
            || profileName(file, suffix: signatureSuffix) != nil
    }

    /// `office` for `office.hosts` (suffix `.hosts`); nil when the file is not of that kind or the
    /// name is not a valid profile name (temporary files, editor backups, anything else).
    static func profileName(_ file: String, suffix: String) -> String? {
        guard file.hasSuffix(suffix) else { return nil }
        let name = String(file.dropLast(suffix.count))
        return ProfileName.isValid(name) ? name : nil
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
        let sha256 = SHA256Hex.of(loaded.bytes)
        let representation = Representation(
            bytes: loaded.bytes, sha256: sha256, contentType: "text/plain; charset=utf-8",
            lastModified: Self.firstSeen(sha256: sha256, previous: previous, record: indexMetadata[name], now: now))
        return .success(
            PublishedProfile(name: name, stamp: loaded.stamp, entries: entries.count, representation: representation))
    }

    private mutating func loadIndex(stamp: FileStamp?) {
        indexIssue = nil
        indexMetadata = [:]
        views = []
        viewIssues = []
        guard stamp != nil else { return }
        do {
            let loaded = try directory.read(Self.indexFile)
            let index = try ProfileIndex.decode(Data(loaded.bytes))
            for record in index.profiles { indexMetadata[record.name] = record }
            // The generator checked them; a hand-edited index may not be: a bad view is refused, not half-served.
            let names = Set(index.profiles.map(\.name))
            for view in index.views {
                do {
                    try view.validate(profiles: names)
                    views.append(view)
                } catch {
                    viewIssues.append(
                        LoadIssue(file: Self.indexFile, line: 0, reason: "view '\(view.name)' refused: \(error)"))
                }
            }
        } catch let error as DirectoryError {
            indexIssue = LoadIssue(file: Self.indexFile, line: 0, reason: error.reason)
        } catch {
            indexIssue = LoadIssue(file: Self.indexFile, line: 0, reason: "not a valid index: \(error)")
        }
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
