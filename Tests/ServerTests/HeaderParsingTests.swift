import Hummingbird
import Testing

@testable import Server

@Suite struct HeaderParsingTests {
    @Test func httpDatesFormatAndParseInAllThreeForms() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == 784_111_777)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 PST") == nil)
        #expect(HTTPDate.parse("Sun, 06 Foo 1994 08:49:37 GMT") == nil)
        #expect(HTTPDate.parse("") == nil)
        // Days the month does not have are not dates (they used to roll over into the next month).
        #expect(HTTPDate.parse("Sat, 31 Feb 2099 00:00:00 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 29 Feb 2001 00:00:00 GMT") == nil)
        #expect(HTTPDate.parse("Sun, 31 Apr 2001 00:00:00 GMT") == nil)
        #expect(HTTPDate.parse("Tue, 29 Feb 2000 00:00:00 GMT") == 951_782_400)
        #expect(HTTPDate.parse("Tue, 29 Feb 1900 00:00:00 GMT") == nil)
        for seconds: Int64 in [1, 1_700_000_000, 4_102_444_800] {
            #expect(HTTPDate.parse(HTTPDate.format(seconds)) == seconds)
        }
    }

    @Test func entityTagListsParse() {
        #expect(EntityTag.parseList(["*"]) == .any)
        #expect(
            EntityTag.parseList([#""a", W/"b",,"c""#]) == .tags([("\"a\"", false), ("\"b\"", true), ("\"c\"", false)]))
        #expect(EntityTag.parseList([#""a", bogus, "c""#]) == .tags([("\"a\"", false)]))
        #expect(EntityTag.weakMatch(EntityTag.parseList([#"W/"x""#]), any: [#""x""#]))
        #expect(!EntityTag.strongMatch(EntityTag.parseList([#"W/"x""#]), any: [#""x""#]))
        #expect(!EntityTag.weakMatch(EntityTag.parseList([#""xy""#]), any: [#""x""#]))
    }

    @Test func acceptEncodingHonoursQualities() {
        func accepts(_ value: String?) -> Bool {
            var headers = HTTPFields()
            if let value { headers[.acceptEncoding] = value }
            return AcceptEncoding.acceptsGzip(headers)
        }
        #expect(accepts("gzip"))
        #expect(accepts("deflate, gzip;q=0.5"))
        #expect(accepts("GZIP"))
        #expect(accepts("x-gzip"))
        #expect(accepts("*"))
        #expect(!accepts(nil))
        #expect(!accepts("gzip;q=0"))
        #expect(!accepts("gzip; q=0.000"))
        #expect(!accepts("br, deflate"))
        #expect(!accepts("*, gzip;q=0"))
        #expect(!accepts("identity"))
    }

    /// The byte scan for values without q-values decides as the full grammar does.
    /// The word-at-a-time comparison agrees with the byte rule (uppercase ASCII letters lowered, nothing else)
    /// for every byte a checked name or value may hold, at every position of every name it is used with, and
    /// for the names in upper case.
    @Test func caseInsensitiveEqualsAgreesWithTheByteRule() {
        let names: [StaticString] = [
            "host", "upgrade", "if-match", "forwarded", "connection", "close", "keep-alive", "authorization",
            "if-none-match", "content-length", "accept-encoding", "x-forwarded-for", "if-modified-since",
            "transfer-encoding", "if-unmodified-since", "*", "gzip", "x-gzip",
        ]
        let allowed: [UInt8] = [0x09] + Array(0x20...0x7E)
        func byteRule(_ bytes: [UInt8], _ name: StaticString) -> Bool {
            let expected = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            return bytes.count == expected.count
                && zip(bytes, expected).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
        }
        func fast(_ bytes: [UInt8], _ name: StaticString) -> Bool {
            bytes.withUnsafeBytes { HTTPListBytes.equals($0[...], name) }
        }
        var disagreements: [String] = []
        for name in names {
            let text = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            let upper = text.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
            #expect(fast(text, name) && fast(upper, name), "\(name)")
            for position in text.indices {
                for byte in allowed {
                    var changed = text
                    changed[position] = byte
                    if fast(changed, name) != byteRule(changed, name) {
                        disagreements.append("\(name) with byte \(byte) at \(position)")
                    }
                }
            }
            #expect(!fast(text + [0x61], name) && !fast(Array(text.dropLast()), name))
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    @Test func acceptEncodingWithoutQualitiesIsScannedAsParsed() {
        let values = [
            "gzip, deflate", "deflate, gzip", "deflate", "br", "*", " * ", "identity, *", "GZip", "x-GZIP", "gzip2",
            "xgzip", "gzi", "", ",", " , gzip ,", "\tgzip\t", "deflate,br", "gzip,", ",,*", "g zip", "**",
        ]
        for value in values {
            #expect(AcceptEncoding.namesGzipOrAny(value) == AcceptEncoding.acceptsGzip(parsing: [value]), "\(value)")
        }
    }

    @Test func routesAreMatchedNotResolved() {
        #expect(Route(path: "/") == .root)
        #expect(Route(path: "/profiles") == .index)
        #expect(Route(path: "/profiles/office") == .profile("office"))
        #expect(Route(path: "/profiles/office.sig") == .signature("office"))
        #expect(Route(path: "/profiles/../x") == .profile("../x"))
        #expect(Route(path: "/etc/passwd") == .unknown)
        #expect(Route(path: "/healthz").label == .healthz)
    }
}

@Suite struct RouteLabelTests {
    @Test func positionsMatchAllCases() {
        for (offset, label) in Route.Label.allCases.enumerated() { #expect(label.position == offset) }
    }
}

@Suite struct MetricsTableTests {
    @Test func statusPositionsMatchTheTable() {
        for (offset, status) in ServerMetrics.commonStatuses.enumerated() {
            #expect(ServerMetrics.statusPosition(status) == offset)
        }
        #expect(ServerMetrics.statusPosition(500) == nil)
    }
}
