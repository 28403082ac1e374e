/// Content negotiation for the one coding the server offers besides identity.
enum AcceptEncoding {
    /// True when the request's Accept-Encoding gives `gzip` (or `x-gzip`, or `*` without a gzip member)
    /// a non-zero quality. No header means identity only: gzip is never sent unasked.
    static func acceptsGzip(_ headers: some HeaderLookup) -> Bool {
        let values = headers.values(.acceptEncoding)
        if values.isEmpty { return false }
        // What clients send (hosts-client: `gzip, deflate`) has no q-values, so every quality is 1: over the
        // bytes, with no strings made, gzip is accepted exactly when a member names it or `*`.
        if !values.contains(where: { $0.utf8.contains(UInt8(ascii: ";")) }) {
            return values.contains { namesGzipOrAny($0) }
        }
        return acceptsGzip(parsing: values)
    }

    /// Whether one of the comma-separated members (q-values absent) is `gzip`, `x-gzip` or `*`, any case.
    static func namesGzipOrAny(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            var start = 0
            for end in 0...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: ",") {
                var first = start
                var last = end
                while first < last, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
                while last > first, bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09 { last -= 1 }
                let member = bytes[first..<last]
                if member.count == 1, member.first == UInt8(ascii: "*") { return true }
                let lowered = member.lazy.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
                if lowered.elementsEqual("gzip".utf8) || lowered.elementsEqual("x-gzip".utf8) { return true }
                start = end + 1
            }
            return false
        }
    }

    /// The full grammar, q-values and all.
    static func acceptsGzip(parsing values: [String]) -> Bool {
        var gzipQuality: Double?
        var wildcardQuality: Double?
        for value in values {
            for member in value.split(separator: ",") {
                let pieces = member.split(separator: ";")
                guard let coding = pieces.first?.trimmingSpaces.lowercased() else { continue }
                var quality = 1.0
                for parameter in pieces.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    if pair.count == 2, pair[0].trimmingSpaces.lowercased() == "q" {
                        quality = Double(pair[1].trimmingSpaces) ?? 0
                    }
                }
                switch coding {
                case "gzip", "x-gzip": gzipQuality = max(gzipQuality ?? 0, quality)
                case "*": wildcardQuality = quality
                default: break
                }
            }
        }
        return (gzipQuality ?? wildcardQuality ?? 0) > 0
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's OWS).
    var trimmingSpaces: Substring {
        let start = firstIndex(where: { $0 != " " && $0 != "\t" }) ?? endIndex
        let end = lastIndex(where: { $0 != " " && $0 != "\t" }).map { index(after: $0) } ?? start
        return self[start..<end]
    }
}
