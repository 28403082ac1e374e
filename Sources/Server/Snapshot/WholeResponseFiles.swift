import NIOCore
import Synchronization

/// A representation's complete `200 OK` responses — head and body — as memory files, so the fast path
/// answers a keep-alive GET with a single `sendfile`: no separate write for the head, no corking. The
/// head carries a Date, so each file serves one second and the next request after it makes a new one.
final class WholeResponseFiles: Sendable {
    private struct Entry {
        var second: Int64
        var file: MemoryFile
    }

    private let entries = Mutex<(identity: Entry?, gzip: Entry?)>((nil, nil))

    /// The file for `second`, made from `bytes()` when there is none yet; nil when it cannot be made.
    func file(gzip: Bool, second: Int64, bytes: () -> ByteBuffer) -> MemoryFile? {
        entries.withLock { entries in
            let current = gzip ? entries.gzip : entries.identity
            if let current, current.second == second { return current.file }
            guard let file = MemoryFile(bytes(), perSecond: true) else { return nil }
            let entry = Entry(second: second, file: file)
            if gzip { entries.gzip = entry } else { entries.identity = entry }
            return file
        }
    }
}
