/// A host-name pattern from a segment policy: `db.corp.example` matches that name only,
/// `*.corp.example` matches any name below `corp.example` (not `corp.example` itself), `*` matches all. Names are
/// the permissive ones segments may hold (`db_primary.corp.example`).
public struct NamePattern: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case any
        case exact(String)
        case suffix(String)
    }

    let kind: Kind

    public init(parsing text: some StringProtocol) throws(HostnameError) {
        let trimmed = text.lowercased()
        if trimmed == "*" {
            kind = .any
        } else if trimmed.hasPrefix("*.") {
            kind = .suffix("." + (try Hostname(validating: trimmed.dropFirst(2), rules: .permissive)).value)
        } else {
            kind = .exact(try Hostname(validating: trimmed, rules: .permissive).value)
        }
    }

    public func matches(_ name: Hostname) -> Bool {
        switch kind {
        case .any: true
        case .exact(let value): name.value == value
        case .suffix(let suffix): name.value.hasSuffix(suffix)
        }
    }

    public var description: String {
        switch kind {
        case .any: "*"
        case .exact(let value): value
        case .suffix(let suffix): "*" + suffix
        }
    }
}
