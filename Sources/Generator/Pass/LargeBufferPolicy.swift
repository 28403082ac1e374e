#if canImport(Glibc)
    import Glibc
#endif

/// How the process allocates the multi-megabyte buffers of a pass (a DescribeInstances page is ~3 MB of XML).
///
/// glibc serves blocks over `M_MMAP_THRESHOLD` with their own mmap, returned to the system on free. By default that
/// threshold moves up to the size of the last such block freed, so from the second page on each page buffer is carved
/// out of a malloc arena instead, on whichever thread (libcurl's, the parser's) touched it; freed, it stays mapped as
/// holes between small live objects. Measured on bench/generator (10 pages, 10,000 instances) that was about 15 MiB of
/// peak RSS. Pinning the threshold keeps page buffers in their own mappings, given back after each page.
enum LargeBufferPolicy {
    /// Blocks of this size and above get their own mapping (glibc's default starting value, 128 KiB).
    static let mappedBlockSize: Int32 = 128 * 1024

    /// Applies the policy to this process. Call once, early; does nothing off glibc.
    static func apply() {
        #if canImport(Glibc)
            // <malloc.h> is not part of the Glibc module: look `mallopt` up with its C signature.
            typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
            let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
            guard let symbol = dlsym(nil, "mallopt") else { return }
            // Setting the threshold explicitly is also what stops glibc from raising it.
            _ = unsafeBitCast(symbol, to: MallOpt.self)(mmapThreshold, mappedBlockSize)
        #endif
    }
}
