import Foundation
import HostsCore

/// Writes rendered profiles into the published directory: each `NAME.hosts` atomically and only when its bytes
/// change, then `index.json` (whose `generated_at` moves every pass; `changed_at` only when the sha256 does).
///
/// `plan` decides everything first (including the shrink guard) so that a refused pass writes nothing.
struct Publisher: Sendable {
    var directory: String
    var shrinkGuard: ShrinkGuard
    var force: Bool

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
            throw PublishError(reason: first + more)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw PublishError(reason: "cannot create the output directory \(directory): \(error.localizedDescription)")
        }
        let previous = existingIndex()
        var records: [ProfileRecord] = []
        for (profile, action) in zip(profiles, plan.actions) {
            do {
                try AtomicFile.writeIfChanged(Array(profile.content.utf8), to: action.path)
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
            let data = try ProfileIndex(profiles: records).encoded()
            try AtomicFile.write(Array(data), to: indexPath)
        } catch {
            throw PublishError(reason: "cannot write \(indexPath): \(error)")
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
