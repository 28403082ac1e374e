import Foundation
import TestSupport
import Testing

@testable import Server

/// The request-head parser's fast scans (line ends by `memchr`, header values eight bytes at a time, strings
/// reused across a connection's requests) decide exactly what the byte-by-byte rules decide.
@Suite struct RequestHeadScanTests {
    private let limits = RequestHead.Limits(maxHeaderBytes: 16 * 1024, maxHeaderFields: 100)

    private func parse(_ bytes: [UInt8], strings: inout RecentStrings) -> RequestHead.ParseResult {
        bytes.withUnsafeBytes { RequestHead.parse($0, limits: limits, strings: &strings) }
    }

    /// The rule, one byte at a time: visible ASCII, space or tab.
    private func allowed(_ byte: UInt8) -> Bool { (byte >= 0x20 || byte == 0x09) && byte != 0x7F && byte < 0x80 }

    /// Each byte value at each offset of a value long enough for several eight-byte words: refused exactly when
    /// the byte is not allowed, whatever its alignment.
    @Test func everyByteAtEveryOffsetOfAValue() {
        var strings = RecentStrings()
        for offset in 0..<40 {
            for byte in [0x00, 0x01, 0x08, 0x09, 0x0B, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0xC3, 0xFF] as [UInt8] {
                var value = Array(repeating: UInt8(ascii: "a"), count: 48)
                value[offset] = byte
                let request = Array("GET /p HTTP/1.1\r\nHost: h\r\nX-Value: ".utf8) + value + Array("\r\n\r\n".utf8)
                let result = parse(request, strings: &strings)
                switch result {
                case .head: #expect(allowed(byte), "byte \(byte) at \(offset) accepted")
                case .refused(let answer, _, _):
                    #expect(!allowed(byte), "byte \(byte) at \(offset) refused")
                    #expect(answer.status == 400)
                case .incomplete: Issue.record("byte \(byte) at \(offset): incomplete")
                }
            }
        }
    }

    /// Random values (seeded; the seed is printed) against the byte-by-byte rule, and the value kept exactly,
    /// trailing spaces and tabs trimmed.
    @Test func randomValuesAgreeWithTheByteRule() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("RequestHeadScanTests seed: \(seed)")
        var random = SeededGenerator(seed: seed)
        var strings = RecentStrings()
        let alphabet: [UInt8] =
            [0x09, 0x20, 0x21, 0x41, 0x61, 0x7E] + (0..<4).map { _ in UInt8.random(in: 0...255, using: &random) }
        for _ in 0..<2_000 {
            let length = Int.random(in: 1...70, using: &random)
            var value = (0..<length).map { _ in
                Bool.random(using: &random)
                    ? UInt8(ascii: "x") : alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
            }
            value = value.map { $0 == 0x0A || $0 == 0x0D ? UInt8(ascii: "y") : $0 }
            value[0] = UInt8(ascii: "\"")
            let request =
                Array("GET /p HTTP/1.1\r\nHost: h\r\nIf-None-Match: ".utf8) + value + Array("\r\n\r\n".utf8)
            let expected = value.allSatisfy(allowed)
            switch parse(request, strings: &strings) {
            case .head(let head):
                #expect(expected, "seed \(seed): \(value) accepted")
                var trimmed = value[...]
                while let last = trimmed.last, last == 0x20 || last == 0x09 { trimmed = trimmed.dropLast() }
                #expect(head.headers.values(.ifNoneMatch) == [String(decoding: trimmed, as: UTF8.self)])
            case .refused: #expect(!expected, "seed \(seed): \(value) refused")
            case .incomplete: Issue.record("seed \(seed): incomplete")
            }
        }
    }

    /// A connection's strings are reused only for the very same bytes: two paths and two tags of one length
    /// each come out as sent, however many requests go by (more than the few strings kept).
    @Test func reusedStringsNeverStandInForOtherBytes() throws {
        var strings = RecentStrings()
        for round in 0..<3 {
            for index in 0..<12 {
                let path = "/profiles/p\(index % 10)x\(index / 10)"
                let tag = "\"tag-\(index)-\(index * 7 % 10)\""
                let request = "GET \(path)?q=\(round) HTTP/1.1\r\nHost: h\r\nIf-None-Match: \(tag)\r\n\r\n"
                guard case .head(let head) = parse(Array(request.utf8), strings: &strings) else {
                    Issue.record("not parsed: \(request)")
                    continue
                }
                #expect(head.path == path[...])
                #expect(head.headers.values(.ifNoneMatch) == [tag])
                #expect(head.methodName == "GET")
            }
        }
    }

    /// A bare CR or LF anywhere in a line is still refused, at every position, now that line ends are found
    /// with `memchr`.
    @Test func bareLineBreaksAnywhereAreRefused() {
        var strings = RecentStrings()
        let base = Array("GET /profiles/office HTTP/1.1\r\nHost: example\r\nX-A: abcdefgh\r\n\r\n".utf8)
        for position in 0..<(base.count - 4) where base[position] != 0x0D && base[position] != 0x0A {
            for breaker in [UInt8(0x0D), UInt8(0x0A)] {
                var request = base
                request.insert(breaker, at: position)
                guard case .refused(let answer, _, _) = parse(request, strings: &strings) else {
                    Issue.record("a \(breaker == 0x0D ? "CR" : "LF") at \(position) was not refused")
                    continue
                }
                #expect(answer.status == 400)
            }
        }
    }
}
