#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The last few strings a connection's request heads made from their bytes (the path, kept header values),
/// so that a client polling the same profile with the same validator makes no new string per request: a
/// poll's head is compared here instead of allocated. Bounded: a few short strings per connection.
struct RecentStrings {
    private var strings: [String] = []
    private var next = 0

    private static let capacity = 8
    /// Longer values (a large Authorization, a long Forwarded) are made anew each time, not kept.
    private static let maxLength = 256

    /// A string with exactly these bytes (which the parser has checked to be ASCII): a kept one when it
    /// has them, else a new one, kept for next time.
    mutating func string(_ bytes: UnsafeRawBufferPointer) -> String {
        for candidate in strings where candidate.utf8.count == bytes.count {
            let same = candidate.utf8.withContiguousStorageIfAvailable { utf8 in
                bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0
            }
            if same == true { return candidate }
        }
        let made = String(decoding: bytes, as: UTF8.self)
        guard bytes.count <= Self.maxLength else { return made }
        if strings.count < Self.capacity {
            strings.append(made)
        } else {
            strings[next] = made
            next = (next + 1) % Self.capacity
        }
        return made
    }
}
