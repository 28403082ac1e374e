import NIOCore

/// The handles one connection sends memory files through. NIO lets one writer at a time use a file
/// handle, so each connection opens its own on first use and keeps a few (a client polls the same
/// profile); a handle pushed out is closed once the writes queued before it are done.
struct ConnectionFileHandles {
    private static let limit = 4
    private var open: [(file: MemoryFile, handle: NIOFileHandle)] = []

    /// A handle for `file`, or nil when none could be opened (the caller sends the body from memory).
    /// `outlet` is where the response bytes are written, so a retired handle closes after them.
    mutating func handle(for file: MemoryFile, outlet: ChannelHandlerContext) -> NIOFileHandle? {
        if let index = open.firstIndex(where: { $0.file === file }) {
            return open[index].handle
        }
        guard let handle = try? file.makeHandle() else { return nil }
        if open.count == Self.limit {
            let retired = open.removeFirst().handle
            // Writes leave in order: this empty one completes after every region queued on `retired`.
            let done = outlet.eventLoop.makePromise(of: Void.self)
            done.futureResult.whenComplete { _ in try? retired.close() }
            outlet.write(NIOAny(IOData.byteBuffer(ByteBuffer())), promise: done)
        }
        open.append((file, handle))
        return handle
    }

    /// Closes every handle; for when the connection is gone and its queued writes have been failed.
    mutating func closeAll() {
        for entry in open { try? entry.handle.close() }
        open.removeAll()
    }
}
