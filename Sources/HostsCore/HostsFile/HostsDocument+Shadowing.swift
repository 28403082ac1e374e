/// A name the managed block maps that a line outside the block maps to another address of the same family.
///
/// Resolvers read the hosts file top down and answer with the first line that names the host: glibc's
/// gethostbyname returns that line's address; getaddrinfo returns only it (or, with `multi on` in
/// /etc/host.conf, as Debian ships it, every line's addresses, the first line's first). So a hand-written line
/// above the block wins over the block, and one below it loses.
public struct ShadowedName: Sendable, Equatable, Codable {
    public var hostname: String
    /// The segment whose line in the block maps the name, and that line's address.
    public var segment: String
    public var blockAddress: String
    /// The first line outside the block that maps the name to an address of this family, and its address.
    public var outsideLine: Int
    public var outsideAddress: String
    /// The address a lookup answers first: the outside line's when it comes before the block.
    public var resolverAddress: String

    /// True when the line outside the block is what the resolver answers with.
    public var outsideWins: Bool { resolverAddress == outsideAddress }

    enum CodingKeys: String, CodingKey {
        case hostname, segment
        case blockAddress = "block_address"
        case outsideLine = "outside_line"
        case outsideAddress = "outside_address"
        case resolverAddress = "resolver_address"
    }
}

extension HostsDocument {
    /// The names of the block that lines outside it define differently (per address family), in block order.
    ///
    /// Lines outside the block are read as a resolver reads them (any text after `#` is a comment, fields split
    /// on blanks, names compared without case), not with the strict parser: a line it would reject still
    /// answers lookups.
    public func shadowedNames() -> [ShadowedName] {
        guard let block, let body else { return [] }
        var outside: [String: [(address: IPAddress, line: Int, first: Bool)]] = [:]
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            let (end, next) = Self.lineEnd(in: bytes, from: start)
            if start < block.lowerBound || start >= block.upperBound {
                let fields = Self.resolverFields(bytes[start..<end])
                if fields.count > 1, let address = IPAddress(String(decoding: fields[0], as: UTF8.self)) {
                    for name in fields.dropFirst() {
                        let key = String(decoding: name, as: UTF8.self).lowercased()
                        outside[key, default: []].append((address, lineNumber, start < block.lowerBound))
                    }
                }
            }
            start = next
        }
        guard !outside.isEmpty else { return [] }
        // A cheap fingerprint of each outside name (length, first and last byte), so the block's 100,000 names
        // are checked without building a string for each.
        let fingerprints = Set(outside.keys.map { Self.fingerprint(Array($0.utf8)[...]) })

        var found: [ShadowedName] = []
        var reported: Set<String> = []
        var segment = ""
        start = body.lowerBound
        while start < body.upperBound {
            let (end, next) = Self.lineEnd(in: bytes, from: start)
            let line = bytes[start..<end]
            start = next
            if line.starts(with: Self.segmentPrefix) {
                let rest = String(decoding: line.dropFirst(Self.segmentPrefix.count), as: UTF8.self)
                segment = String(rest.prefix { $0 != " " })
                continue
            }
            let fields = Self.resolverFields(line)
            guard fields.count > 1, fields.dropFirst().contains(where: { fingerprints.contains(Self.fingerprint($0)) }),
                let address = IPAddress(String(decoding: fields[0], as: UTF8.self))
            else { continue }
            for name in fields.dropFirst() where fingerprints.contains(Self.fingerprint(name)) {
                let key = String(decoding: name, as: UTF8.self).lowercased()
                guard let definitions = outside[key] else { continue }
                let sameFamily = definitions.filter { $0.address.family == address.family }
                guard let firstOutside = sameFamily.first, !sameFamily.contains(where: { $0.address == address }),
                    reported.insert("\(key) \(address.family)").inserted
                else { continue }
                let winner = sameFamily.first { $0.first }?.address ?? address
                found.append(
                    ShadowedName(
                        hostname: key, segment: segment, blockAddress: address.description,
                        outsideLine: firstOutside.line, outsideAddress: firstOutside.address.description,
                        resolverAddress: winner.description))
            }
        }
        return found
    }

    /// Length, first and last byte (ASCII lowercased) of a name.
    static func fingerprint(_ name: ArraySlice<UInt8>) -> Int {
        guard let first = name.first, let last = name.last else { return 0 }
        return name.count << 16 | Int(first | 0x20) << 8 | Int(last | 0x20)
    }

    static let segmentPrefix = Array("# segment ".utf8)

    /// A line's fields as glibc's files backend splits them: up to `#`, on spaces and tabs (a CR counts as blank).
    static func resolverFields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        let content = line.prefix { $0 != UInt8(ascii: "#") }
        return content.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C })
    }
}
