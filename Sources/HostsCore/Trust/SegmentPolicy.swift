/// What one remote segment may put into the hosts file: which names and which addresses.
///
/// A hosts file from the network can point any name anywhere (a bank's, a mail provider's), so a
/// subscription can be narrowed to the names and addresses it is there for. Lines outside the policy are
/// dropped and reported; they never reach the hosts file.
public struct SegmentPolicy: Hashable, Sendable {
    public var names: [NamePattern]
    public var addresses: [CIDR]

    /// Empty lists mean "no limit" for that side.
    public init(names: [NamePattern] = [], addresses: [CIDR] = []) {
        self.names = names
        self.addresses = addresses
    }

    /// Parses the comma-separated forms of `--allow-names` and `--allow-addresses`.
    public init(allowNames: String?, allowAddresses: String?) throws(PolicyError) {
        func items(_ text: String?) -> [Substring] {
            (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        }
        var names: [NamePattern] = []
        for item in items(allowNames) {
            do { names.append(try NamePattern(parsing: item)) } catch {
                throw PolicyError(item: String(item), reason: error.description)
            }
        }
        var addresses: [CIDR] = []
        for item in items(allowAddresses) {
            do { addresses.append(try CIDR(parsing: item)) } catch {
                throw PolicyError(item: String(item), reason: error.description)
            }
        }
        self.init(names: names, addresses: addresses)
    }

    public var isUnrestricted: Bool { names.isEmpty && addresses.isEmpty }

    /// Splits entries into what the policy allows and what it drops. Within an entry, names outside the
    /// policy are dropped one by one; an address outside the policy drops the whole line.
    public func apply(to entries: [HostsEntry]) -> (kept: [HostsEntry], dropped: [DroppedEntry]) {
        guard !isUnrestricted else { return (entries, []) }
        var kept: [HostsEntry] = []
        var dropped: [DroppedEntry] = []
        for entry in entries {
            if !addresses.isEmpty, !addresses.contains(where: { $0.contains(entry.address) }) {
                dropped.append(
                    DroppedEntry(
                        line: entry.line, address: entry.address.description, names: entry.hostnames.map(\.value),
                        reason: "address not in --allow-addresses"))
                continue
            }
            var allowed = entry
            allowed.hostnames = entry.hostnames.filter { name in names.isEmpty || names.contains { $0.matches(name) } }
            let refused = entry.hostnames.filter { !allowed.hostnames.contains($0) }
            if !refused.isEmpty {
                dropped.append(
                    DroppedEntry(
                        line: entry.line, address: entry.address.description, names: refused.map(\.value),
                        reason: "name not in --allow-names"))
            }
            if !allowed.hostnames.isEmpty { kept.append(allowed) }
        }
        return (kept, dropped)
    }
}

/// A line (or some names of it) that a policy kept out of the hosts file.
public struct DroppedEntry: Hashable, Sendable, Codable {
    public var line: Int
    public var address: String
    public var names: [String]
    public var reason: String
}

/// A policy item that is neither a name pattern nor an address range.
public struct PolicyError: Error, CustomStringConvertible, Sendable {
    public var item: String
    public var reason: String
    public var description: String { "invalid policy item '\(item)': \(reason)" }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var result = self
        while result.first == set { result = result.dropFirst() }
        while result.last == set { result = result.dropLast() }
        return result
    }
}
