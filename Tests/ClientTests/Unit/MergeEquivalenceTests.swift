import HostsCore
import Testing

@testable import Client

/// The client's fast merge and splice must write exactly what HostsCore's reference versions write.
@Suite struct MergeEquivalenceTests {
    static func randomSegments(_ generator: inout some RandomNumberGenerator) -> [Segment] {
        let addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.10", "192.168.1.1", "::1", "fe80::1", "2001:db8::5"]
            .map { IPAddress($0)! }
        let names = (0..<12).map { Hostname("host-\($0).example")! }
        let comments = [nil, nil, "db", "web"]
        return (0..<Int.random(in: 1...4, using: &generator)).map { index in
            let entries = (0..<Int.random(in: 0...25, using: &generator)).map { line in
                HostsEntry(
                    address: addresses.randomElement(using: &generator)!,
                    hostnames: (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                        names.randomElement(using: &generator)!
                    },
                    comment: comments.randomElement(using: &generator)!, line: line + 1)
            }
            return Segment(name: "seg\(index)", origin: "remote http://h/\(index)", entries: entries)
        }
    }

    @Test func blockMergerMatchesSegmentMerger() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let segments = Self.randomSegments(&generator)
            let reference = SegmentMerger.merge(segments)
            let fast = BlockMerger.merge(segments)
            #expect(fast.body == reference.body)
            #expect(fast.conflicts == reference.conflicts)
            #expect(fast.entryCount == reference.entryCount)
        }
    }

    @Test(arguments: [
        "", "127.0.0.1 localhost\n", "127.0.0.1 localhost", "127.0.0.1 localhost\r\n# x\r\n",
        "a\n# BEGIN PSEUDODNS (managed by hosts-client; changes inside this block are replaced)\nold\n# END PSEUDODNS\nb\n",
        "a\r\n# BEGIN PSEUDODNS (managed by hosts-client; changes inside this block are replaced)\r\n# END PSEUDODNS\r\n",
    ])
    func spliceMatchesHostsDocument(_ file: String) throws {
        let document = try HostsDocument(bytes: Array(file.utf8))
        for body in ["", "\n", "10.0.0.1 a\n", "# segment x — local\n10.0.0.1 a\n10.0.0.2 b\n", "no newline"] {
            let reference = try document.replacingManagedBlock(with: body).bytes
            #expect(
                ManagedBlockSplice.replacing(in: document, with: body) == reference, "body \(body.debugDescription)")
        }
    }
}
