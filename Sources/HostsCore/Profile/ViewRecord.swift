/// One server-side view in `index.json`: `/profiles/NAME` serves the first profile whose `from` ranges hold the
/// client's address, or the catch-all (the last choice, without `from`). The generator validates views before
/// publishing them and the server checks them again on load, both with ``validate(profiles:)``.
public struct ViewRecord: Codable, Sendable, Equatable {
    public var name: String
    /// In order; the last one, and only it, has no `from`.
    public var choose: [ViewChoice]

    public init(name: String, choose: [ViewChoice]) {
        self.name = name
        self.choose = choose
    }

    /// The profiles the view can serve, each once, in the order they are chosen.
    public var profiles: [String] {
        var out: [String] = []
        for choice in choose where !out.contains(choice.profile) { out.append(choice.profile) }
        return out
    }

    /// The profile for a client at `address`; the catch-all when the address is unknown (nil).
    public func profile(for address: IPAddress?) -> String {
        for choice in choose {
            guard let from = choice.from else { return choice.profile }
            if let address, from.contains(where: { $0.contains(address) }) { return choice.profile }
        }
        return choose.last?.profile ?? ""
    }

    /// Throws the first problem: a bad or clashing name, an unknown profile, an empty `from`, a missing or
    /// misplaced catch-all. `profiles` are the profile names published beside the view.
    public func validate(profiles: Set<String>) throws(ViewError) {
        guard ProfileName.isValid(name) else {
            throw ViewError(key: "name", reason: "'\(name)' is not a valid view name ([a-z0-9][a-z0-9-]*, at most 63)")
        }
        if profiles.contains(name) {
            throw ViewError(key: "name", reason: "'\(name)' is also a profile name (both would be /profiles/\(name))")
        }
        guard !choose.isEmpty else { throw ViewError(key: "choose", reason: "list at least one profile") }
        for (index, choice) in choose.enumerated() {
            let key = "choose[\(index)]"
            guard profiles.contains(choice.profile) else {
                throw ViewError(key: "\(key).profile", reason: "unknown profile '\(choice.profile)'")
            }
            let isLast = index == choose.count - 1
            switch choice.from {
            case nil where !isLast:
                throw ViewError(
                    key: key, reason: "only the last choice may leave out 'from' (every choice after it is unreachable)"
                )
            case .some(let from) where from.isEmpty:
                throw ViewError(key: "\(key).from", reason: "list at least one address range")
            case .some where isLast:
                throw ViewError(
                    key: key,
                    reason: "the last choice must be a catch-all without 'from' (else some clients get no profile)")
            default:
                break
            }
        }
    }
}

/// One step of a view: serve `profile` to clients in `from` (nil: to everyone left).
public struct ViewChoice: Codable, Sendable, Equatable {
    public var profile: String
    public var from: [CIDR]?

    public init(profile: String, from: [CIDR]? = nil) {
        self.profile = profile
        self.from = from
    }
}

/// What is wrong with a view; `key` is relative to the view (`choose[1].profile`).
public struct ViewError: Error, CustomStringConvertible, Sendable, Equatable {
    public var key: String
    public var reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key): \(reason)" }
}

extension CIDR: Codable {
    /// Decodes `ADDRESS/LENGTH` text; a bad range fails the decode.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
