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

    /// Why a segment's transport deserves a warning, if it does.
    static func warning(url: String, trust: SegmentTrust?) -> String? {
        guard url.lowercased().hasPrefix("http://"), trust?.isPinned != true else { return nil }
        return "plain http:// without a pinned key: anyone on the path can rewrite this segment "
            + "(pin the generator's key: hosts-client trust NAME --public-key KEY)"
    }
}
