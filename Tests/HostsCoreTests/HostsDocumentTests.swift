import TestSupport
import Testing

@testable import HostsCore

@Suite struct HostsDocumentTests {
    let begin = HostsDocument.beginMarker
    let end = HostsDocument.endMarker

    func document(_ text: String) throws -> HostsDocument {
        try HostsDocument(bytes: Array(text.utf8))
    }

    @Test func untouchedDocumentKeepsEveryByte() throws {
        let odd: [UInt8] =
            Array("127.0.0.1 localhost\r\n#weird\tline\n\n  junk that is not an entry\r\n".utf8) + [0xFF, 0xFE] + [0x0A]
        let doc = try HostsDocument(bytes: odd)
        #expect(doc.bytes == odd)
        #expect(!doc.hasManagedBlock)
        #expect(doc.removingManagedBlock().bytes == odd)
    }

    @Test func appendsABlockWhenThereIsNone() throws {
        let doc = try document("127.0.0.1 localhost")
        let updated = try doc.replacingManagedBlock(with: "10.0.0.1 a\n")
        // No final newline before, none after: the block brings the line break it needs and nothing else.
        #expect(String(decoding: updated.bytes, as: UTF8.self) == "127.0.0.1 localhost\n\(begin)\n10.0.0.1 a\n\(end)")
        #expect(updated.managedBlockBody == "10.0.0.1 a\n")
        #expect(try HostsDocument(bytes: updated.bytes) == updated, "the break before the block is found as its own")
        #expect(updated.removingManagedBlock().bytes == doc.bytes, "byte-exact: the file ends as it did")
        #expect(try updated.replacingManagedBlock(with: "10.0.0.1 a\n") == updated, "idempotent")
    }

    /// An old Mac file: lines end in a lone CR. Resolvers read LF lines only, so the block is LF and starts right
    /// after the last CR (the line the resolver sees there ends in a comment); nothing outside it changes.
    @Test(arguments: ["127.0.0.1 localhost\r::1 localhost\r", "127.0.0.1 localhost\r::1 localhost"])
    func crOnlyFilesKeepEveryByte(file: String) throws {
        let doc = try document(file)
        let updated = try doc.replacingManagedBlock(with: "10.0.0.1 a\n")
        let text = String(decoding: updated.bytes, as: UTF8.self)
        let separator = file.hasSuffix("\r") ? "" : "\r"
        let tail = file.hasSuffix("\r") ? "\n" : ""
        #expect(text == file + separator + "\(begin)\n10.0.0.1 a\n\(end)" + tail)
        #expect(try HostsDocument(bytes: updated.bytes) == updated)
        #expect(updated.removingManagedBlock().bytes == doc.bytes)
        #expect(try updated.replacingManagedBlock(with: "10.0.0.2 b\n").removingManagedBlock().bytes == doc.bytes)
    }

    @Test(
        arguments: [
            ([0xFF, 0xFE] + Array("1\0.\0".utf8), "UTF-16LE (byte order mark FF FE)"),
            ([0xFE, 0xFF, 0x00, 0x31], "UTF-16BE (byte order mark FE FF)"),
            ([0xFF, 0xFE, 0x00, 0x00], "UTF-32LE"),
            (Array("127.0.0.1 localhost\n".utf8).flatMap { [$0, 0] }, "UTF-16LE (no byte order mark)"),
            (Array("127.0.0.1 localhost\n".utf8).flatMap { [0, $0] }, "UTF-16BE (no byte order mark)"),
            (Array("127.0.0.1 localhost\n\0".utf8), "binary data (a NUL byte at offset 20)"),
        ] as [([UInt8], String)])
    func refusesEncodingsThatAreNotASCIICompatible(bytes: [UInt8], encoding: String) {
        #expect {
            try HostsDocument(bytes: bytes)
        } throws: { error in
            "\(error)".contains("the file is \(encoding)") && "\(error)".contains("convert it to UTF-8")
        }
    }

    @Test func replacesOnlyTheBlockAmongOtherToolsBlocks() throws {
        let before = "127.0.0.1 localhost\n# BEGIN hostctl dev\n10.1.1.1 dev # hostctl\n# END hostctl dev\n"
        let after = "# --- SwitchHosts ---\n10.9.9.9 sw\r\nodd line kept\n"
        let doc = try document(before + "\(begin)\n10.0.0.1 old\n\(end)\n" + after)
        let updated = try doc.replacingManagedBlock(with: "10.0.0.2 new\n10.0.0.3 newer\n")
        #expect(
            String(decoding: updated.bytes, as: UTF8.self) == before
                + "\(begin)\n10.0.0.2 new\n10.0.0.3 newer\n\(end)\n" + after)
        #expect(updated.outside.before.elementsEqual(Array(before.utf8)))
        #expect(updated.outside.after.elementsEqual(Array(after.utf8)))
    }

    @Test func keepsCRLFFilesCRLF() throws {
        let doc = try document("127.0.0.1 localhost\r\n::1 localhost\r\n")
        let updated = try doc.replacingManagedBlock(with: "10.0.0.1 a\n10.0.0.2 b\n")
        let text = String(decoding: updated.bytes, as: UTF8.self)
        #expect(text == "127.0.0.1 localhost\r\n::1 localhost\r\n\(begin)\r\n10.0.0.1 a\r\n10.0.0.2 b\r\n\(end)\r\n")
        #expect(updated.managedBlockBody == "10.0.0.1 a\n10.0.0.2 b\n")
        #expect(try updated.replacingManagedBlock(with: "10.0.0.1 a\n10.0.0.2 b\n") == updated, "idempotent")
        #expect(updated.removingManagedBlock().bytes == doc.bytes)
    }

    @Test func blockAtEndWithoutFinalNewlineIsReplaced() throws {
        let doc = try document("127.0.0.1 localhost\n\(begin)\n10.0.0.1 a\n\(end)")
        let updated = try doc.replacingManagedBlock(with: "10.0.0.2 b")
        #expect(String(decoding: updated.bytes, as: UTF8.self) == "127.0.0.1 localhost\n\(begin)\n10.0.0.2 b\n\(end)")
        #expect(updated.removingManagedBlock().bytes == Array("127.0.0.1 localhost".utf8))
    }

    @Test(arguments: [
        ("", "", "\(HostsDocument.beginMarker)\n\n\(HostsDocument.endMarker)\n"),
        ("a", "\n", "a\n\(HostsDocument.beginMarker)\n\n\(HostsDocument.endMarker)"),
        ("a\r\nb", "x", "a\r\nb\r\n\(HostsDocument.beginMarker)\r\nx\r\n\(HostsDocument.endMarker)"),
        ("a\r\n", "x\r\ny", "a\r\n\(HostsDocument.beginMarker)\r\nx\r\ny\r\n\(HostsDocument.endMarker)\r\n"),
        ("a\n", "x\r\ny\r\n", "a\n\(HostsDocument.beginMarker)\nx\ny\n\(HostsDocument.endMarker)\n"),
    ])
    func bodyLinesTakeTheFilesLineEnding(file: String, body: String, expected: String) throws {
        let updated = try document(file).replacingManagedBlock(with: body)
        #expect(String(decoding: updated.bytes, as: UTF8.self) == expected)
        #expect(try HostsDocument(bytes: updated.bytes) == updated, "block found where a parse finds it")
    }

    @Test func refusesABodyLineThatReadsAsAMarker() throws {
        let doc = try document("127.0.0.1 localhost\n")
        #expect(throws: HostsDocumentError.self) {
            try doc.replacingManagedBlock(with: "10.0.0.1 a\n\(self.end)\n10.0.0.2 b\n")
        }
        #expect {
            try doc.replacingManagedBlock(with: "10.0.0.1 a\n# BEGIN PSEUDODNS again\r\n")
        } throws: { error in
            (error as? HostsDocumentError)?.line == 4
        }
    }

    @Test(arguments: [
        ("\(HostsDocument.beginMarker)\n10.0.0.1 a\n", 1, "without an END"),
        ("x\n\(HostsDocument.endMarker)\n", 2, "without a BEGIN"),
        (
            "\(HostsDocument.beginMarker)\n\(HostsDocument.endMarker)\n\(HostsDocument.beginMarker)\n\(HostsDocument.endMarker)\n",
            3, "second"
        ),
    ])
    func refusesUnbalancedMarkers(text: String, line: Int, reason: String) {
        #expect {
            try HostsDocument(bytes: Array(text.utf8))
        } throws: { error in
            let error = error as? HostsDocumentError
            return error?.line == line && error?.reason.contains(reason) == true
        }
    }

    /// Property: for random files (odd lines, CRLF, other tools' blocks, invalid UTF-8, with or without a
    /// block) and random bodies, replacing the block never changes a byte outside it.
    @Test(arguments: 0..<4)
    func bytesOutsideTheBlockNeverChange(round: Int) throws {
        var random = SeededGenerator(seed: UInt64(round) * 7919 + 1)
        for iteration in 0..<250 {
            let (before, hadBlock, after) = randomFile(using: &random)
            var original = before
            if hadBlock {
                original +=
                    Array("\(begin)\n".utf8) + randomLines(using: &random).flatMap { $0 } + Array("\(end)\n".utf8)
            }
            original += after
            let doc = try HostsDocument(bytes: original)
            let body = randomLines(using: &random).map { String(decoding: $0, as: UTF8.self) }.joined()
                .replacingOccurrences(of: "BEGIN PSEUDODNS", with: "x").replacingOccurrences(
                    of: "END PSEUDODNS", with: "x")
            let updated = try doc.replacingManagedBlock(with: body)
            let context = "seed round \(round), iteration \(iteration)"
            #expect(updated.hasManagedBlock, "\(context)")
            #expect(
                try HostsDocument(bytes: updated.bytes) == updated, "\(context): block found where a parse finds it")
            if hadBlock {
                #expect(Array(updated.outside.before) == before, "\(context)")
                #expect(Array(updated.outside.after) == after, "\(context)")
            } else {
                #expect(updated.bytes.starts(with: original), "\(context): appending keeps the whole original first")
                #expect(updated.outside.after.isEmpty, "\(context)")
            }
            #expect(try updated.replacingManagedBlock(with: body) == updated, "\(context): replacing again is a no-op")
            let removed = updated.removingManagedBlock()
            #expect(
                Array(removed.outside.before) == Array(updated.outside.before) + Array(updated.outside.after),
                "\(context)")
        }
    }

    func randomFile(using random: inout SeededGenerator) -> ([UInt8], Bool, [UInt8]) {
        let before = randomLines(using: &random).flatMap { $0 }
        let after = randomLines(using: &random).flatMap { $0 }
        return (before, Bool.random(using: &random), after)
    }

    func randomLines(using random: inout SeededGenerator) -> [[UInt8]] {
        let pieces: [[UInt8]] = [
            Array("127.0.0.1 localhost".utf8), Array("# BEGIN hostctl profile".utf8),
            Array("# END hostctl profile".utf8),
            Array("not an entry at all".utf8), Array("   ".utf8), [], Array("10.0.0.1\tweb".utf8), [0xFF, 0xC3, 0x28],
            Array("::1 ip6-localhost # comment".utf8), Array("#### SwitchHosts! ####".utf8), [0x09, 0x0D, 0x20],
        ]
        let endings: [[UInt8]] = [[0x0A], [0x0D, 0x0A]]
        return (0..<Int.random(in: 0...8, using: &random)).map { _ in
            pieces.randomElement(using: &random)! + endings.randomElement(using: &random)!
        }
    }
}
