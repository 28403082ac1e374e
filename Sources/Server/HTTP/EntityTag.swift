/// Entity-tag handling for conditional requests (RFC 9110 §8.8.3, §13.1).
enum EntityTag {
    /// A strong tag for `bytes`' SHA-256, with a suffix for a different content coding of the same content.
    static func strong(sha256: String, coding: String? = nil) -> String {
        if let coding { return "\"\(sha256)-\(coding)\"" }
        return "\"\(sha256)\""
    }

    /// What an `If-None-Match` or `If-Match` field value lists.
    enum Condition: Equatable {
        case any
        /// Opaque tags (with their quotes), each marked weak or not.
        case tags([(opaque: Substring, weak: Bool)])

        static func == (lhs: Condition, rhs: Condition) -> Bool {
            switch (lhs, rhs) {
            case (.any, .any): return true
            case (.tags(let l), .tags(let r)):
                return l.count == r.count && zip(l, r).allSatisfy { $0.opaque == $1.opaque && $0.weak == $1.weak }
            default: return false
            }
        }
    }

    /// Parses `*` or a comma-separated list of entity-tags; a malformed member ends the list
    /// (what was read before it still counts). All field lines of the header are joined first.
    static func parseList(_ values: [String]) -> Condition {
        var tags: [(opaque: Substring, weak: Bool)] = []
        for value in values {
            var rest = Substring(value)
            while true {
                rest = rest.drop(while: { $0 == " " || $0 == "\t" || $0 == "," })
                if rest.isEmpty { break }
                if rest.first == "*" { return .any }
                var weak = false
                if rest.hasPrefix("W/") {
                    weak = true
                    rest = rest.dropFirst(2)
                }
                guard rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") else { break }
                tags.append((rest[rest.startIndex...close], weak))
                rest = rest[rest.index(after: close)...]
            }
        }
        return .tags(tags)
    }

    /// Weak comparison (used by If-None-Match): opaque tags equal, weakness ignored.
    static func weakMatch(_ condition: Condition, any current: [String]) -> Bool {
        switch condition {
        case .any: return true
        case .tags(let tags): return tags.contains { tag in current.contains { $0[...] == tag.opaque } }
        }
    }

    /// Strong comparison (used by If-Match): neither tag may be weak.
    static func strongMatch(_ condition: Condition, any current: [String]) -> Bool {
        switch condition {
        case .any: return true
        case .tags(let tags): return tags.contains { tag in !tag.weak && current.contains { $0[...] == tag.opaque } }
        }
    }
}
