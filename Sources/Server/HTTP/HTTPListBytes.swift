/// Comma-separated header lists (RFC 9110 §5.6.1) over a value's bytes, for the headers read on every
/// request: no strings are split, trimmed or lowercased.
enum HTTPListBytes {
    /// Calls `body` with each member, without the spaces and tabs around it (empty members included); stops
    /// at the first member for which it returns true, and returns whether one did.
    static func contains(
        _ value: UnsafeRawBufferPointer, where body: (Slice<UnsafeRawBufferPointer>) -> Bool
    ) -> Bool {
        var start = 0
        for end in 0...value.count where end == value.count || value[end] == UInt8(ascii: ",") {
            var first = start
            var last = end
            while first < last, value[first] == 0x20 || value[first] == 0x09 { first += 1 }
            while last > first, value[last - 1] == 0x20 || value[last - 1] == 0x09 { last -= 1 }
            if body(value[first..<last]) { return true }
            start = end + 1
        }
        return false
    }

    /// Case-insensitive (ASCII) comparison with a lowercase name, for bytes of a checked field name or value
    /// (visible ASCII, space, tab). Eight bytes at a time, lowered by setting bit 0x20 in every byte: for such
    /// bytes that maps only an uppercase letter onto a character of the names compared (lowercase letters,
    /// digits, `-`, `*`, `.`); the control bytes it would also map (CR onto `-`, LF onto `*`) are never in them.
    static func equals(_ bytes: Slice<UnsafeRawBufferPointer>, _ lowercase: StaticString) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        guard count > 0 else { return true }
        let actual = bytes.base.baseAddress! + bytes.startIndex
        let expected = UnsafeRawPointer(lowercase.utf8Start)
        let lower: UInt64 = 0x2020_2020_2020_2020
        var offset = 0
        while offset + 8 <= count {
            let word = actual.loadUnaligned(fromByteOffset: offset, as: UInt64.self) | lower
            guard word == expected.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        while offset < count {
            let byte = actual.load(fromByteOffset: offset, as: UInt8.self) | 0x20
            guard byte == expected.load(fromByteOffset: offset, as: UInt8.self) else { return false }
            offset += 1
        }
        return true
    }
}
