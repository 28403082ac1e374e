/// A hosts text that passed the strict parser, kept as its bytes plus one small record per entry; each
/// ``HostsEntry`` is built again from its line when it is asked for.
///
/// Why: as `[HostsEntry]` a 100,000-entry segment is about 22 MB of arrays and strings; here it is its
/// bytes (which the caller holds anyway) and about 5 MB, which keeps `hosts-client` small on a big sync.
public struct HostsLines: HostsEntryTable {
    /// The text as it was validated.
    public let bytes: [UInt8]
    public let source: String
    private var addresses: [IPAddress] = []
    /// Offset of each entry's line in `bytes`.
    private var starts: [UInt32] = []
    /// 1-based line number of each entry.
    private var numbers: [UInt32] = []
    /// Lines passed over (a lenient parse); empty for a strict one.
    public private(set) var skipped = SkippedLines()

    /// Validates `bytes` as `StrictParser.parse` does, throwing the same errors. `lenient` (third-party lists,
    /// `--lenient`): lines that are not entries are skipped and counted in ``skipped`` instead — unless the first
    /// line is HTML or more lines are skipped than kept.
    public init(parsing bytes: [UInt8], source: String, lenient: Bool = false) throws(HostsParseError) {
        self.bytes = bytes
        self.source = source
        guard bytes.count < Int(UInt32.max) else {
            throw HostsParseError(source: source, line: 0, reason: "larger than 4 GiB: not a hosts file")
        }
        var addresses: [IPAddress] = []
        var starts: [UInt32] = []
        var numbers: [UInt32] = []
        var skipped: SkippedLines? = lenient ? SkippedLines() : nil
        try bytes.withUnsafeBufferPointer { buffer throws(HostsParseError) in
            let capacity = StrictParser.lineCount(buffer)
            addresses.reserveCapacity(capacity)
            starts.reserveCapacity(capacity)
            numbers.reserveCapacity(capacity)
            try StrictParser.forEachEntry(in: buffer, source: source, skipped: &skipped) { entry, start in
                addresses.append(entry.address)
                starts.append(UInt32(start))
                numbers.append(UInt32(entry.line))
            }
        }
        self.skipped = skipped ?? SkippedLines()
        self.addresses = addresses
        self.starts = starts
        self.numbers = numbers
    }

    public var count: Int { addresses.count }
    public var entryCount: Int { addresses.count }

    public func address(at position: Int) -> IPAddress { addresses[position] }

    public func entry(at position: Int) -> HostsEntry {
        bytes.withUnsafeBufferPointer { buffer in
            let line = StrictParser.line(in: buffer, at: Int(starts[position]))
            do {
                if let entry = try StrictParser.parseLine(
                    line.bytes, number: Int(numbers[position]), source: source, first: false)
                {
                    return entry
                }
            } catch {}
            preconditionFailure("\(source):\(numbers[position]) parsed once and not again")
        }
    }

    /// Every entry, as `StrictParser.parse` returns them.
    public var entries: [HostsEntry] { (0..<count).map(entry(at:)) }

    /// A rendered entry is at most its source line (minus the address and one separator) plus "  # " for a
    /// comment, and the line's end: the whole text plus four bytes an entry bounds it.
    public var renderedSizeBound: Int { bytes.count + 4 * count }
}
