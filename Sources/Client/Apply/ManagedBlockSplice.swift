import HostsCore

/// Puts a body into a hosts file's managed block: the same bytes as `HostsDocument.replacingManagedBlock(with:)`
/// (a test checks this), in one pass over a 100,000-line body instead of one array per line plus a re-parse.
enum ManagedBlockSplice {
    static func replacing(in document: HostsDocument, with body: String) -> [UInt8] {
        let newline: [UInt8] = document.usesCRLF ? [0x0D, 0x0A] : [0x0A]
        let (before, after) = document.outside
        var body = body
        body.makeContiguousUTF8()
        return body.utf8.withContiguousStorageIfAvailable { text in
            splice(before: before, after: after, body: text, newline: newline, appending: !document.hasManagedBlock)
        }!
    }

    private static func splice(
        before: ArraySlice<UInt8>, after: ArraySlice<UInt8>, body text: UnsafeBufferPointer<UInt8>,
        newline: [UInt8], appending: Bool
    ) -> [UInt8] {
        var out: [UInt8] = []
        let extra = newline.count == 2 ? text.count / 20 : 0
        out.reserveCapacity(before.count + after.count + text.count + extra + 200)
        out += before
        if appending, let last = before.last, last != 0x0A { out += newline }
        out += HostsDocument.beginMarker.utf8
        out += newline
        var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false)
        if text.last == 0x0A { lines.removeLast() }
        for line in lines {
            out += line.last == 0x0D ? line.dropLast() : line
            out += newline
        }
        out += HostsDocument.endMarker.utf8
        out += newline
        out += after
        return out
    }
}
