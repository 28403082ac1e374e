import HostsCore

/// One line saying what a segment's trust settings demand, for `trust`, `list` and `status`.
struct TrustSummary {
    var trust: SegmentTrust?

    init(_ trust: SegmentTrust?) { self.trust = trust }

    /// Key IDs (as in the signature's `key_id`) of the pinned keys.
    var keyIDs: [String] {
        (trust?.publicKeys ?? []).compactMap { try? VerifyingKey(base64: $0).keyID }
    }

    var text: String {
        guard let trust else { return "no pinned key, no policy" }
        var parts: [String] = []
        if trust.isPinned {
            parts.append(
                "pinned key\(keyIDs.count == 1 ? "" : "s") \(keyIDs.joined(separator: ","))"
                    + " (max-age \(trust.maxAge ?? SegmentTrust.defaultMaxAge)"
                    + (trust.profiles.isEmpty ? "" : ", profile \(trust.profiles.joined(separator: ","))") + ")")
        } else {
            parts.append("no pinned key")
        }
        if !trust.allowNames.isEmpty { parts.append("names \(trust.allowNames.joined(separator: ","))") }
        if !trust.allowAddresses.isEmpty { parts.append("addresses \(trust.allowAddresses.joined(separator: ","))") }
        if let caFile = trust.caFile { parts.append("CA \(caFile)") }
        if trust.lenient { parts.append("lenient (invalid lines skipped)") }
        return parts.joined(separator: "; ")
    }

    /// Why a segment's transport deserves a warning, one line each (`status`, and `add`/`when` on stderr):
    /// plain http where nothing else vouches for the bytes, its URL's and its `reachable=` canaries'.
    static func warnings(for segment: SegmentConfig) -> [String] {
        var lines: [String] = []
        if let url = segment.url, isPlainHTTP(url), segment.trust?.isPinned != true {
            lines.append(
                "plain http:// without a pinned key: anyone on the path can rewrite this segment "
                    + "(pin the generator's key: hosts-client trust NAME --public-key KEY)")
        }
        let canaries = Set(
            (segment.when ?? []).compactMap { rule -> String? in
                if case .reachable(let url) = rule.measured, isPlainHTTP(url) { return url }
                return nil
            })
        for url in canaries.sorted() {
            lines.append(
                "reachable=\(Redaction.url(url)) is plain http://: anyone on the path can answer it and decide "
                    + "where this segment applies (use an https:// canary)")
        }
        return lines
    }

    private static func isPlainHTTP(_ url: String) -> Bool { url.lowercased().hasPrefix("http://") }
}
