import Foundation
import HostsCore

/// Writes rendered profiles into the published directory: each `NAME.hosts` only when its bytes change, its
/// `NAME.hosts.sig` when a signer is set, then `index.json` (whose `generated_at` moves every pass; `changed_at`
/// only when the sha256 does) with the config's views.
///
/// One publication is all or nothing (``AtomicFile/Batch``): every file is staged first, then renamed in place
/// in order, each signature after the content it covers and the index last; a failure puts back what was renamed.
/// A profile the shrink guard refuses is left as it is, the others are published.
///
/// Several generator configs may publish into one directory: the publication holds the directory's lock
/// (``lockName``), reads `index.json` again under it, and keeps the entries of profiles and views this config does
/// not define.
struct Publisher: Sendable {
    var directory: String
    var shrinkGuard: ShrinkGuard
    var force: ForceRule
    /// Signs every profile when set; without it, a signature left over for other bytes is removed (it could only
    /// make pinned clients fail, and it would make the server list the profile as signed).
    var signer: ProfileSigner? = nil
    /// Published in `index.json` beside the profiles (already validated against them).
    var views: [ViewRecord] = []
    /// How long to wait for another generator publishing into the same directory.
    var lockTimeout: Double = 60

    static let lockName = ".publish.lock"

    var indexPath: String { "\(directory)/\(PublishedLayout.indexFile)" }

    func path(of profile: String) -> String { "\(directory)/\(PublishedLayout.profileFile(profile))" }

    func signaturePath(of profile: String) -> String { ProfileSigner.path(directory: directory, profile: profile) }

    /// What publishing `profiles` would do, from the files on disk now.
    func plan(_ profiles: [RenderedProfile]) -> PublishPlan {
        let index = existingIndex()
        var actions: [PublishAction] = []
        for profile in profiles {
            let path = path(of: profile.name)
            let bytes = Array(profile.content.utf8)
            let old = FileManager.default.contents(atPath: path).map { [UInt8]($0) }
            let previousEntries = old.map { previousEntryCount($0, path: path, index: index, profile: profile.name) }
            let change: PublishAction.Change = old == nil ? .new : (old == bytes ? .unchanged : .changed)
            var refusal: String?
            if change == .changed, !force.forces(profile.name), let previousEntries {
                refusal = shrinkGuard.refusal(profile: profile.name, old: previousEntries, new: profile.entries)
            }
            actions.append(
                PublishAction(
                    profile: profile.name, path: path, entries: profile.entries, previousEntries: previousEntries,
                    bytes: bytes.count, sha256: SHA256Hex.of(bytes), change: change, refusal: refusal, old: old))
        }
        return PublishPlan(directory: directory, actions: actions)
    }

    /// Plans under the directory's lock and publishes every profile the shrink guard lets through, all or
    /// nothing. Returns the plan (its refusals were not written); throws, having changed nothing, when a write fails.
    @discardableResult
    func publish(_ profiles: [RenderedProfile], at now: Date) throws(PublishError) -> PublishPlan {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PublishError(reason: "cannot create the output directory \(directory): \(error.localizedDescription)")
        }
        let lock: FileLock
        do {
            lock = try FileLock(path: "\(directory)/\(Self.lockName)", timeout: lockTimeout)
        } catch {
            throw PublishError(reason: "\(error)")
        }
        defer { lock.release() }
        // Temporaries and kept old versions of a generator killed mid-publication (its pid is gone).
        for profile in profiles {
            AtomicFile.removeStaleTemporaries(of: path(of: profile.name))
            AtomicFile.removeStaleTemporaries(of: signaturePath(of: profile.name))
        }
        AtomicFile.removeStaleTemporaries(of: indexPath)
        let plan = plan(profiles)
        let published = zip(profiles, plan.actions).filter { $0.1.refusal == nil }
        var batch = AtomicFile.Batch()
        do {
            for (profile, action) in published {
                let content = Array(profile.content.utf8)
                if action.change != .unchanged { try batch.stage(content, to: action.path) }
                try stageSignature(for: profile, content: content, sha256: action.sha256, at: now, in: &batch)
            }
            let data = try mergedIndex(published.map { $0.1 }, profiles: profiles, at: now).encoded()
            try batch.stage(Array(data), to: indexPath)
            try batch.commit()
        } catch let error as PublishError {
            batch.discard()
            throw error
        } catch {
            batch.discard()
            throw PublishError(reason: "\(error)")
        }
        return plan
    }

    /// The index as found (under the lock), with this pass's published profiles and this config's views.
    private func mergedIndex(_ actions: [PublishAction], profiles: [RenderedProfile], at now: Date) -> ProfileIndex {
        let previous = existingIndex()
        var records: [String: ProfileRecord] = [:]
        for record in previous?.profiles ?? [] { records[record.name] = record }
        let descriptions = Dictionary(profiles.map { ($0.name, $0.description) }, uniquingKeysWith: { a, _ in a })
        for action in actions {
            let old = records[action.profile]
            let changedAt = (old?.sha256 == action.sha256 ? old?.changedAt : nil) ?? now
            records[action.profile] = ProfileRecord(
                name: action.profile, description: descriptions[action.profile] ?? nil, sha256: action.sha256,
                bytes: action.bytes, entries: action.entries, generatedAt: now, changedAt: changedAt)
        }
        let ours = Set(views.map(\.name))
        let kept = (previous?.views ?? []).filter { !ours.contains($0.name) }
        return ProfileIndex(profiles: Array(records.values), views: kept + views)
    }

    /// Stages the new signature, or (unsigned) the removal of a signature that no longer matches the content.
    private func stageSignature(
        for profile: RenderedProfile, content: [UInt8], sha256: String, at now: Date, in batch: inout AtomicFile.Batch
    ) throws {
        let path = signaturePath(of: profile.name)
        if let signer {
            let signature: ProfileSignature
            do {
                signature = try signer.sign(profile: profile.name, content: content, previousAt: path, at: now)
            } catch {
                throw PublishError(reason: error.description)
            }
            try batch.stage(Array(try signature.encoded()), to: path)
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else { return }
        if (try? ProfileSignature.decode(data))?.sha256 != sha256 { batch.stageRemoval(of: path) }
    }

    private func existingIndex() -> ProfileIndex? {
        guard let data = FileManager.default.contents(atPath: indexPath) else { return nil }
        return try? ProfileIndex.decode(data)
    }

    /// From the index when it agrees with the file on disk, else by parsing the file.
    private func previousEntryCount(_ bytes: [UInt8], path: String, index: ProfileIndex?, profile: String) -> Int {
        if let record = index?.profiles.first(where: { $0.name == profile }), record.sha256 == SHA256Hex.of(bytes) {
            return record.entries
        }
        let entries = (try? StrictParser.parse(bytes, source: path)) ?? []
        return Set(entries.map(\.address)).count
    }
}
