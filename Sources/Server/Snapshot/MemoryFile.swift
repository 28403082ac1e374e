import CMemoryFile
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A representation's bytes in a sealed, anonymous in-memory file (memfd), so the fast path can hand the
/// kernel a file region (`sendfile`) instead of copying the body through the socket: the copy into the
/// send buffer is the largest cost of a full response. It is still the in-memory snapshot: the file has
/// no path, its seals forbid any change, and it lives exactly as long as the representation (and the
/// connections still sending it) need it.
final class MemoryFile: Sendable {
    /// Bodies smaller than this are cheaper to copy than to send as a file region.
    static let threshold = 8 * 1024

    private let descriptor: CInt
    let count: Int
    /// A whole response made for one second (see ``WholeResponseFiles``), not a body.
    let isPerSecond: Bool

    /// nil when the system cannot create one (then the body is sent from memory as usual).
    init?(_ buffer: ByteBuffer, perSecond: Bool = false) {
        let descriptor = buffer.withUnsafeReadableBytes { bytes in
            pseudodns_sealed_memory_file("pseudodns-representation", bytes.baseAddress, bytes.count)
        }
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        self.count = buffer.readableBytes
        self.isPerSecond = perSecond
    }

    /// A memory file for bodies big enough to gain from one.
    static func forBody(_ buffer: ByteBuffer?) -> MemoryFile? {
        guard let buffer, buffer.readableBytes >= threshold else { return nil }
        return MemoryFile(buffer)
    }

    deinit {
        close(descriptor)
    }

    /// A handle on a descriptor of its own: NIO lets one writer at a time use a handle, so every
    /// connection sends through its own. The caller closes it.
    func makeHandle() throws -> NIOFileHandle {
        let duplicate = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else { throw IOError(errnoCode: errno, reason: "duplicating a memory file") }
        return NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: duplicate)
    }
}
