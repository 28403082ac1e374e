#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the poller compares to decide whether a file changed: a rename-into-place gives a new inode,
/// an in-place rewrite a new size or mtime.
struct FileStamp: Hashable, Sendable {
    var inode: UInt64
    var size: Int64
    var mtimeSeconds: Int64
    var mtimeNanoseconds: Int64

    init(_ info: stat) {
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
            mtimeSeconds = Int64(info.st_mtimespec.tv_sec)
            mtimeNanoseconds = Int64(info.st_mtimespec.tv_nsec)
        #else
            mtimeSeconds = Int64(info.st_mtim.tv_sec)
            mtimeNanoseconds = Int64(info.st_mtim.tv_nsec)
        #endif
    }

    init(inode: UInt64, size: Int64, mtimeSeconds: Int64, mtimeNanoseconds: Int64 = 0) {
        self.inode = inode
        self.size = size
        self.mtimeSeconds = mtimeSeconds
        self.mtimeNanoseconds = mtimeNanoseconds
    }
}
