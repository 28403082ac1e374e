import Foundation
import HostsCore
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
            directory: folder.path + "/pub", shrinkGuard: ShrinkGuard(fraction: 0.5), force: false)
        let first = [rendered("office", lines: 3)]
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        try publisher.publish(first, plan: publisher.plan(first), at: t0)
        let path = publisher.path(of: "office")
        let inode = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64

        let t1 = t0.addingTimeInterval(300)
        let plan = publisher.plan(first)
        #expect(plan.actions[0].change == .unchanged)
        try publisher.publish(first, plan: plan, at: t1)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64 == inode)
        var index = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: publisher.indexPath)))
        #expect(index.profiles[0].generatedAt == t1)
        #expect(index.profiles[0].changedAt == t0)
        #expect(index.profiles[0].entries == 3)
        #expect(index.profiles[0].sha256 == SHA256Hex.of(Array(first[0].content.utf8)))

        let t2 = t1.addingTimeInterval(300)
        let second = [rendered("office", lines: 4)]
        try publisher.publish(second, plan: publisher.plan(second), at: t2)
        index = try ProfileIndex.decode(Data(contentsOf: URL(fileURLWithPath: publisher.indexPath)))
        #expect(index.profiles[0].changedAt == t2)
        #expect(folder.read("pub/office.hosts") == second[0].content)
    }

    @Test func refusedPlanWritesNothing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let publisher = Publisher(directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: false)
        let full = [rendered("office", lines: 10), rendered("remote", lines: 10)]
        try publisher.publish(full, plan: publisher.plan(full), at: Date())
        let indexBefore = folder.read("index.json")

        let shrunk = [rendered("office", lines: 9), rendered("remote", lines: 1)]
        let plan = publisher.plan(shrunk)
        #expect(plan.refusals.count == 1)
        #expect(plan.actions[1].refusal?.contains("from 10 to 1 entries") == true)
        #expect(throws: PublishError.self) { try publisher.publish(shrunk, plan: plan, at: Date()) }
        #expect(folder.read("office.hosts") == full[0].content)
        #expect(folder.read("remote.hosts") == full[1].content)
        #expect(folder.read("index.json") == indexBefore)

        let forced = Publisher(directory: folder.path, shrinkGuard: ShrinkGuard(fraction: 0.5), force: true)
        try forced.publish(shrunk, plan: forced.plan(shrunk), at: Date())
        #expect(folder.read("remote.hosts") == shrunk[1].content)
    }
}
