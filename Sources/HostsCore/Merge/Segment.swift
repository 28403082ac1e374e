/// One ordered source of entries for the managed block: a remote profile or a local list.
public struct Segment: Sendable {
    public var name: String
    /// Where the entries came from, shown in the block: `remote http://host/profiles/office`, `local`.
    public var origin: String
    /// The entries: an array, or ``HostsLines`` for a large segment (entries built as they are merged).
    public var table: any HostsEntryTable

    public init(name: String, origin: String, entries: [HostsEntry]) {
        self.init(name: name, origin: origin, table: entries)
    }

    public init(name: String, origin: String, table: some HostsEntryTable) {
        self.name = name
        self.origin = origin
        self.table = table
    }
}

/// A name that a later segment mapped after an earlier one had claimed it; the later mapping is dropped.
public struct Conflict: Sendable, Equatable, Codable {
    public var hostname: String
    /// The losing segment, its line, and the address it wanted.
    public var segment: String
    public var line: Int
    public var address: String
    public var winnerSegment: String
    public var winnerAddress: String

    public init(
        hostname: String, segment: String, line: Int, address: String, winnerSegment: String, winnerAddress: String
    ) {
        self.hostname = hostname
        self.segment = segment
        self.line = line
        self.address = address
        self.winnerSegment = winnerSegment
        self.winnerAddress = winnerAddress
    }

    enum CodingKeys: String, CodingKey {
        case hostname, segment, line, address
        case winnerSegment = "winner_segment"
        case winnerAddress = "winner_address"
    }
}

/// A segment's name that a line outside the block defines: the owner's line wins, so the name is left out of the
/// block (the rest of its segment line stays).
public struct KeptOutName: Sendable, Equatable, Codable {
    public var hostname: String
    /// The segment, its line and the address it wanted.
    public var segment: String
    public var line: Int
    public var address: String
    /// The first line outside the block that defines the name (1-based, in the whole file), and its address.
    public var outsideLine: Int
    public var outsideAddress: String

    public init(
        hostname: String, segment: String, line: Int, address: String, outsideLine: Int, outsideAddress: String
    ) {
        self.hostname = hostname
        self.segment = segment
        self.line = line
        self.address = address
        self.outsideLine = outsideLine
        self.outsideAddress = outsideAddress
    }

    enum CodingKeys: String, CodingKey {
        case hostname, segment, line, address
        case outsideLine = "outside_line"
        case outsideAddress = "outside_address"
    }
}

/// The managed block's body and what was dropped on the way.
public struct MergeResult: Sendable {
    public var body: String
    public var conflicts: [Conflict]
    /// Names left out because a line outside the block defines them, in block order (a name a segment maps to
    /// two addresses is here twice).
    public var keptOut: [KeptOutName] = []
    /// Address-to-name lines written (after conflicts were removed).
    public var entryCount: Int

}

extension [KeptOutName] {
    /// The distinct names, in order (a name kept out of two lines counts once).
    public var distinctNames: [String] {
        var seen: Set<String> = []
        return map(\.hostname).filter { seen.insert($0).inserted }
    }
}
