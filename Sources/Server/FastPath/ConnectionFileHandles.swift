import NIOCore

/// The handles one connection sends memory files through. NIO lets one writer at a time use a file
/// handle, so each connection opens its own on first use and keeps a few, most recently used first (a
/// client polls the same profile). A per-second whole-response file is never used again once its second
/// is over, so a connection keeps one at most. A handle let go is closed once the writes queued before
/// it are done.
struct ConnectionFileHandles {
    /// Handles kept open per connection.
    static let limit = 3
    private var open: [(file: MemoryFile, handle: NIOFileHandle)] = []

    /// A handle for `file`, or nil when none could be opened (the caller sends the body from memory).
    /// `outlet` is where the response bytes are written, so a retired handle closes after them.
    mutating func handle(for file: MemoryFile, outlet: ChannelHandlerContext) -> NIOFileHandle? {
        if let index = open.firstIndex(where: { $0.file === file }) {
            let entry = open.remove(at: index)
            open.insert(entry, at: 0)
            return entry.handle
        }
        guard let handle = try? file.makeHandle() else { return nil }
        var retired: [NIOFileHandle] = []
        if file.isPerSecond {
            open.removeAll { entry in
                guard entry.file.isPerSecond else { return false }
                retired.append(entry.handle)
                return true
            }
        }
        if open.count == Self.limit { retired.append(open.removeLast().handle) }
        if !retired.isEmpty {
            // Writes leave in order: this empty one completes after every region queued on them.
            let done = outlet.eventLoop.makePromise(of: Void.self)
            done.futureResult.whenComplete { _ in
                for handle in retired { try? handle.close() }
            }
            outlet.write(NIOAny(IOData.byteBuffer(ByteBuffer())), promise: done)
        }
        open.insert((file, handle), at: 0)
        return handle
    }

    /// Closes every handle; for when the connection is gone and its queued writes have been failed.
    mutating func closeAll() {
        for entry in open { try? entry.handle.close() }
        open.removeAll()
    }
}
