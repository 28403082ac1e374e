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

    /// Case-insensitive (ASCII) comparison with a lowercase name.
    static func equals(_ bytes: Slice<UnsafeRawBufferPointer>, _ lowercase: StaticString) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let expected = lowercase.utf8Start
        var offset = 0
        var index = bytes.startIndex
        while offset < count {
            let byte = bytes.base[index]
            if (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) != expected[offset] { return false }
            offset += 1
            index += 1
        }
        return true
    }
}
