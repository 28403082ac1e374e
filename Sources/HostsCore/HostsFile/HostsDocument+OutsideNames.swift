/// The names that lines outside the managed block define: the machine owner's own lines, which the block must
/// never contradict, so ``SegmentMerger`` keeps every one of them out of the block.
///
/// Why out, and not only reported: glibc answers from every line that names the host. gethostbyname takes the
/// first; with `multi on` in /etc/host.conf (Debian's default) getaddrinfo returns every line's address in RFC 6724
/// order, so a block's loopback address could come before the owner's; and a name the owner wrote for IPv4 only
/// would get the block's IPv6 address too. With the name out of the block, only the owner's lines answer it.
public struct OutsideNames: Sendable, Equatable {
    /// The first line outside the block that defines a name.
    public struct Definition: Sendable, Equatable {
        /// 1-based line in the whole file.
        public var line: Int
        public var address: IPAddress
    }

    private(set) var definitions: [Hostname: Definition] = [:]

    public init() {}

    /// Names as glibc compares them: ASCII case ignored, nothing else. A name written with a trailing dot
    /// (`db.corp.`) is another name to glibc (a lookup of `db.corp` does not match it), and the block never
    /// holds such a name, so it is not recorded.
    mutating func record(_ name: ArraySlice<UInt8>, line: Int, address: IPAddress) {
        guard name.last != UInt8(ascii: "."),
            let hostname = name.withContiguousStorageIfAvailable({ buffer in
                try? Hostname(bytes: buffer, rules: .permissive)
            }) ?? nil
        else {
            // Not a name the block can hold (a segment's names are valid permissive host names), so no block
            // line can meet it.
            return
        }
        if definitions[hostname] == nil { definitions[hostname] = Definition(line: line, address: address) }
    }

    public var count: Int { definitions.count }
    public var isEmpty: Bool { definitions.isEmpty }

    /// Where `name` is first defined outside the block; nil when it is not.
    public subscript(name: Hostname) -> Definition? { definitions[name] }

    /// Every name defined outside the block, in no particular order.
    public var names: Dictionary<Hostname, Definition>.Keys { definitions.keys }
}

extension HostsDocument {
    /// The names that lines outside the block define, each with its first such line.
    ///
    /// Lines are read as glibc's files backend reads them (text after `#` is a comment, fields split on blanks, a
    /// line counts when its first field is an address), not with the strict parser: a line it would reject still
    /// answers lookups. One pass and one hash insert per name, so a hand-written part of a million lines costs
    /// linear time; nothing legitimate is bounded.
    public func outsideNames() -> OutsideNames {
        var names = OutsideNames()
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            let (end, next) = Self.lineEnd(in: bytes, from: start)
            let inside = block.map { start >= $0.lowerBound && start < $0.upperBound } ?? false
            if !inside {
                let fields = Self.resolverFields(bytes[start..<end])
                if fields.count > 1, let address = IPAddress(String(decoding: fields[0], as: UTF8.self)) {
                    for name in fields.dropFirst() { names.record(name, line: lineNumber, address: address) }
                }
            }
            start = next
        }
        return names
    }

    /// A line's fields as glibc's files backend splits them: up to `#`, on spaces and tabs (a CR counts as blank).
    static func resolverFields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        let content = line.prefix { $0 != UInt8(ascii: "#") }
        return content.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C })
    }
}
