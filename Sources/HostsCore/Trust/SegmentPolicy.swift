/// What one remote segment may put into the hosts file: which names and which addresses.
///
/// A hosts file from the network can point any name anywhere (a bank's, a mail provider's), so a
/// subscription can be narrowed to the names and addresses it is there for. Lines outside the policy are
/// dropped and reported; they never reach the hosts file.
public struct SegmentPolicy: Hashable, Sendable {
    public var names: [NamePattern]
    public var addresses: [CIDR]
    /// Names dropped whatever the lists say: the machine's own names (see ``reservedNames(hostname:)``), which a
    /// remote segment must not remap.
    public var reserved: Set<Hostname>

    /// The names no remote segment may set unless its `--allow-names` lists the exact name: loopback and
    /// broadcast names every system defines, and this machine's own hostname (and its first label).
    public static func reservedNames(hostname: String?) -> Set<Hostname> {
        var names: [String] = ["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "broadcasthost"]
        if let hostname, !hostname.isEmpty {
            names.append(hostname)
            if let dot = hostname.firstIndex(of: "."), dot > hostname.startIndex {
                names.append(String(hostname[..<dot]))
            }
        }
        // Permissive, as segments are read: a machine named `build_01` must stay reserved.
        return Set(names.compactMap { Hostname($0, rules: .permissive) })
    }

    /// Empty lists mean "no limit" for that side.
    public init(names: [NamePattern] = [], addresses: [CIDR] = [], reserved: Set<Hostname> = []) {
        self.names = names
        self.addresses = addresses
        self.reserved = reserved
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

    /// No list and no reserved name: every entry passes.
    public var isUnrestricted: Bool { names.isEmpty && addresses.isEmpty && reserved.isEmpty }

    /// `reserved` without the names that `allowNames` (the comma-separated `--allow-names`) lists exactly: a
    /// pattern such as `*` or `*.localdomain` does not count.
    public func reserving(_ names: Set<Hostname>, exceptListedIn allowNames: [String]) -> SegmentPolicy {
        var policy = self
        let listed = Set(allowNames.compactMap { Hostname($0, rules: .permissive) })
        policy.reserved = names.subtracting(listed)
        return policy
    }

    /// What ``apply(to:)-(some HostsEntryTable)`` keeps of a table.
    public struct Applied: Sendable {
        /// The kept entries: the table itself when nothing was dropped.
        public var table: any HostsEntryTable
        public var dropped: [DroppedEntry]
        public var keptCount: Int { table.entryCount }
    }

    /// The table without what the policy drops, as ``apply(to:)-([HostsEntry])`` decides, without copying the
    /// entries it keeps: a 100,000-entry segment is filtered without becoming 100,000 arrays. A table whose text
    /// does not even contain a reserved name is not looked into at all.
    public func apply<Table: HostsEntryTable>(to table: Table) -> Applied {
        if names.isEmpty, addresses.isEmpty {
            if reserved.isEmpty { return Applied(table: table, dropped: []) }
            if let lines = table as? HostsLines,
                !reserved.contains(where: { lines.bytes.containsCaseInsensitive($0.value) })
            {
                return Applied(table: table, dropped: [])
            }
        }
        var filtered = FilteredEntryTable(base: table)
        var dropped: [DroppedEntry] = []
        var changed = false
        for position in 0..<table.entryCount {
            let entry = table.entry(at: position)
            let (kept, refused) = apply(to: [entry])
            dropped += refused
            guard let allowed = kept.first else {
                changed = true
                continue
            }
            filtered.kept.append(Int32(position))
            if allowed.hostnames.count != entry.hostnames.count {
                filtered.narrowed[Int32(position)] = allowed
                changed = true
            }
        }
        return Applied(table: changed ? filtered : table, dropped: dropped)
    }

    /// Splits entries into what the policy allows and what it drops. Within an entry, names outside the
    /// policy (or reserved) are dropped one by one; an address outside the policy drops the whole line.
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
            allowed.hostnames = entry.hostnames.filter { name in
                !reserved.contains(name) && (names.isEmpty || names.contains { $0.matches(name) })
            }
            let refused = entry.hostnames.filter { !allowed.hostnames.contains($0) }
            let reservedNames = refused.filter { reserved.contains($0) }
            if !reservedNames.isEmpty {
                dropped.append(
                    DroppedEntry(
                        line: entry.line, address: entry.address.description, names: reservedNames.map(\.value),
                        reason: "reserved name of this machine; only --allow-names listing it allows it"))
            }
            let unlisted = refused.filter { !reserved.contains($0) }
            if !unlisted.isEmpty {
                dropped.append(
                    DroppedEntry(
                        line: entry.line, address: entry.address.description, names: unlisted.map(\.value),
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
    public var description: String { "invalid policy item '\(VisibleText.excerpt(item))': \(reason)" }
}

extension [UInt8] {
    /// Whether the ASCII `needle` (lowercase) occurs anywhere, ignoring ASCII case.
    fileprivate func containsCaseInsensitive(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first, count >= pattern.count else { return false }
        return withUnsafeBufferPointer { bytes in
            var index = 0
            let last = bytes.count - pattern.count
            while index <= last {
                if bytes[index] | 0x20 == first | 0x20 {
                    var offset = 1
                    while offset < pattern.count, bytes[index + offset] | 0x20 == pattern[offset] | 0x20 { offset += 1 }
                    if offset == pattern.count { return true }
                }
                index += 1
            }
            return false
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var result = self
        while result.first == set { result = result.dropFirst() }
        while result.last == set { result = result.dropLast() }
        return result
    }
}
