import Foundation
import HostsCore

/// Writes rendered profiles into the published directory: each `NAME.hosts` atomically and only when its bytes
/// change, its `NAME.hosts.sig` when a signer is set, then `index.json` (whose `generated_at` moves every pass;
/// `changed_at` only when the sha256 does) with the config's views.
///
/// The signature is written after the content it covers: a client that fetches between the two renames sees a
/// digest mismatch and fetches both again.
///
/// `plan` decides everything first (including the shrink guard) so that a refused pass writes nothing.
struct Publisher: Sendable {
    var directory: String
    var shrinkGuard: ShrinkGuard
    var force: Bool
    /// Signs every profile when set; without it, a signature left over for other bytes is removed (it could only
    /// make pinned clients fail, and it would make the server list the profile as signed).
    var signer: ProfileSigner? = nil
    /// Published in `index.json` beside the profiles (already validated against them).
    var views: [ViewRecord] = []

    var indexPath: String { directory + "/index.json" }

    func path(of profile: String) -> String { "\(directory)/\(profile).hosts" }

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
            if change == .changed, !force, let previousEntries {
                refusal = shrinkGuard.refusal(profile: profile.name, old: previousEntries, new: profile.entries)
            }
            actions.append(
                PublishAction(
                    profile: profile.name, path: path, entries: profile.entries, previousEntries: previousEntries,
                    bytes: bytes.count, sha256: SHA256Hex.of(bytes), change: change, refusal: refusal))
        }
        return PublishPlan(directory: directory, actions: actions)
    }

    /// Publishes; throws (having written nothing) when the plan holds refusals.
    func publish(_ profiles: [RenderedProfile], plan: PublishPlan, at now: Date) throws(PublishError) {
        if let first = plan.refusals.first {
            let more = plan.refusals.count > 1 ? " (and \(plan.refusals.count - 1) more)" : ""
            throw PublishError(reason: first + more, isRefusal: true)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PublishError(reason: "cannot create the output directory \(directory): \(error.localizedDescription)")
        }
        var signatures: [String: ProfileSignature] = [:]
        if let signer {
            for profile in profiles {
                do {
                    signatures[profile.name] = try signer.sign(
                        profile: profile.name, content: Array(profile.content.utf8),
                        previousAt: signaturePath(of: profile.name), at: now)
                } catch {
                    throw PublishError(reason: error.description)
                }
            }
        }
        let previous = existingIndex()
        var records: [ProfileRecord] = []
        for (profile, action) in zip(profiles, plan.actions) {
            do {
                try AtomicFile.writeIfChanged(Array(profile.content.utf8), to: action.path)
                try publishSignature(signatures[profile.name], profile: profile.name, sha256: action.sha256)
            } catch let error as PublishError {
                throw error
            } catch {
                throw PublishError(reason: "\(error)")
            }
            let old = previous?.profiles.first { $0.name == profile.name }
            let changedAt = (old?.sha256 == action.sha256 ? old?.changedAt : nil) ?? now
            records.append(
                ProfileRecord(
                    name: profile.name, description: profile.description, sha256: action.sha256, bytes: action.bytes,
                    entries: action.entries, generatedAt: now, changedAt: changedAt))
        }
        do {
            let data = try ProfileIndex(profiles: records, views: views).encoded()
            try AtomicFile.write(Array(data), to: indexPath)
        } catch {
            throw PublishError(reason: "cannot write \(indexPath): \(error)")
        }
    }

    func signaturePath(of profile: String) -> String { ProfileSigner.path(directory: directory, profile: profile) }

    /// Writes `signature`, or (unsigned) removes a signature file that no longer matches the content.
    private func publishSignature(_ signature: ProfileSignature?, profile: String, sha256: String) throws {
        let path = signaturePath(of: profile)
        if let signature {
            try AtomicFile.write(Array(try signature.encoded()), to: path)
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else { return }
        if (try? ProfileSignature.decode(data))?.sha256 != sha256 {
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                throw PublishError(reason: "cannot remove the stale signature \(path): \(error.localizedDescription)")
            }
        }
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
