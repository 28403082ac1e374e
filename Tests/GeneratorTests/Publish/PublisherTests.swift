import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Generator

@Suite struct PublisherTests {
    func rendered(_ name: String, lines: Int) -> RenderedProfile {
        var content = "# profile \(name)\n"
        for index in 0..<lines { content += "10.0.0.\(index + 1) host\(index)\n" }
        return RenderedProfile(
            name: name, description: "d", content: content, entries: lines, stats: [:], duplicates: [])
    }

    @Test func shrinkGuardFraction() {
        let guard_ = ShrinkGuard(fraction: 0.5)
        #expect(guard_.refusal(profile: "p", old: 10, new: 5) == nil)
        #expect(guard_.refusal(profile: "p", old: 10, new: 4) != nil)
        #expect(guard_.refusal(profile: "p", old: 0, new: 0) == nil)
        #expect(guard_.refusal(profile: "p", old: 10, new: 20) == nil)
        #expect(ShrinkGuard(fraction: 1).refusal(profile: "p", old: 10, new: 0) == nil)
        #expect(ShrinkGuard(fraction: 0).refusal(profile: "p", old: 10, new: 9) != nil)
    }

    @Test func unchangedFilesAreNotRewrittenAndChangedAtStays() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let publisher = Publisher(
            directory: folder.path + "/pub", shrinkGuard: ShrinkGuard(fraction: 0.5), force: .none)
        let first = [rendered("office", lines: 3)]
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        try publisher.publish(first, at: t0)
        let path = publisher.path(of: "office")
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64

        let t1 = t0.addingTimeInterval(300)
        let plan = publisher.plan(first)
        #expect(plan.actions[0].change == .unchanged)
        try publisher.publish(first, at: t1)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64 == inode)
        var index = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: publisher.indexPath)))
        #expect(index.profiles[0].generatedAt == t1)
        #expect(index.profiles[0].changedAt == t0)
        #expect(index.profiles[0].entries == 3)
        #expect(index.profiles[0].sha256 == SHA256Hex.of(Array(first[0].content.utf8)))

        let t2 = t1.addingTimeInterval(300)
        let second = [rendered("office", lines: 4)]
        try publisher.publish(second, at: t2)
        index = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: publisher.indexPath)))
        #expect(index.profiles[0].changedAt == t2)
        #expect(folder.read("pub/office.hosts") == second[0].content)
    }

    @Test func aRefusedProfileIsLeftAndTheOthersArePublished() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let publisher = Publisher(directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: .none)
        let full = [rendered("office", lines: 10), rendered("remote", lines: 10)]
        try publisher.publish(full, at: Date(timeIntervalSince1970: 1_700_000_000))
        let before = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: publisher.indexPath)))

        let shrunk = [rendered("office", lines: 9), rendered("remote", lines: 1)]
        let plan = try publisher.publish(shrunk, at: Date(timeIntervalSince1970: 1_700_000_300))
        #expect(plan.refusals.count == 1)
        #expect(plan.actions[1].refusal?.contains("from 10 to 1 entries") == true)
        #expect(plan.actions[1].refusal?.contains("use --force remote") == true)
        #expect(folder.read("office.hosts") == shrunk[0].content)
        #expect(folder.read("remote.hosts") == full[1].content)
        let after = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: publisher.indexPath)))
        #expect(after.profiles[1] == before.profiles[1], "the refused profile's entry is kept as it was")
        #expect(after.profiles[0].entries == 9)

        let forced = Publisher(
            directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: .profiles(["remote"]))
        #expect(try forced.publish(shrunk, at: Date()).refusals.isEmpty)
        #expect(folder.read("remote.hosts") == shrunk[1].content)
    }

    @Test func indexEntriesOfOtherConfigsAreKept() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let a = Publisher(directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: .none)
        try a.publish([rendered("alpha", lines: 2)], at: Date())
        try a.publish([rendered("beta", lines: 3)], at: Date())
        let index = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: a.indexPath)))
        #expect(index.profiles.map(\.name) == ["alpha", "beta"])
        #expect(index.profiles.map(\.entries) == [2, 3])
    }

    /// The index is staged last; when it cannot be put in place, the profiles already renamed are put back.
    @Test func aFailedWriteChangesNothing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let publisher = Publisher(directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: .none)
        let first = [rendered("office", lines: 2), rendered("remote", lines: 2)]
        try publisher.publish(first, at: Date())
        let index = folder.read("index.json")
        // A non-empty directory where index.json was: neither link nor rename can replace it.
        try FileManager.default.removeItem(atPath: publisher.indexPath)
        try folder.write("index.json/keep", "x")
        let second = [rendered("office", lines: 3), rendered("remote", lines: 3)]
        #expect(throws: PublishError.self) { try publisher.publish(second, at: Date()) }
        #expect(folder.read("office.hosts") == first[0].content)
        #expect(folder.read("remote.hosts") == first[1].content)
        #expect(index != nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.sorted() == [Publisher.lockName], "no temporary or backup left: \(leftovers)")
    }

    @Test func leftoversOfAKilledPublicationAreRemoved() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let gone = try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/true")
            try process.run()
            process.waitUntilExit()
            return process.processIdentifier
        }
        try folder.write(".office.hosts.tmp-\(gone)-old-1", "old\n")
        try folder.write(".index.json.tmp-\(gone)-2", "{}")
        let publisher = Publisher(directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: .none)
        try publisher.publish([rendered("office", lines: 1)], at: Date())
        let hidden = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        #expect(hidden == [Publisher.lockName])
    }

    /// Another generator holds the directory's lock: this one waits, then reads the index the other one wrote.
    @Test func theIndexIsReadAgainUnderTheLock() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let other = Publisher(directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: .none)
        try other.publish([rendered("alpha", lines: 1)], at: Date())
        let held = try FileLock(path: folder.file(Publisher.lockName), timeout: 1)
        let impatient = Publisher(
            directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: .none, lockTimeout: 0.2)
        #expect {
            try impatient.publish([rendered("beta", lines: 1)], at: Date())
        } throws: { error in
            "\(error)".contains("another process has held it")
        }
        let waiting = Task {
            try await offThePool {
                let patient = Publisher(directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: .none)
                try patient.publish([rendered("beta", lines: 1)], at: Date())
            }
        }
        // While the lock is held, the other generator publishes gamma; then lets go.
        try await offThePool { usleep(300_000) }
        let index = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: other.indexPath)))
        #expect(index.profiles.map(\.name) == ["alpha"], "beta waited for the lock")
        var records = index.profiles
        records.append(
            ProfileRecord(name: "gamma", sha256: "00", bytes: 1, entries: 1, generatedAt: Date(), changedAt: Date()))
        try AtomicFile.write(Array(try ProfileIndex(profiles: records).encoded()), to: other.indexPath)
        held.release()
        try await waiting.value
        let after = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: other.indexPath)))
        #expect(after.profiles.map(\.name) == ["alpha", "beta", "gamma"])
    }
}
