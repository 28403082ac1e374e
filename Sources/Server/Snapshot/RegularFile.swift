#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file the server is given (a profile, a token file) without ever blocking on it or reading
/// something that is not a file: opened `O_NONBLOCK | O_NOCTTY` (a FIFO swapped in does not block the
/// open, a terminal is not adopted), then `fstat` must say regular before a byte is read.
enum RegularFile {
    /// The bytes and the stamp, taken from the open descriptor before and after reading; if they differ
    /// the file was being rewritten in place and the read is reported as such (transient).
    /// - Parameters:
    ///   - name: how errors name the file.
    ///   - followLinks: false opens with `O_NOFOLLOW` (the path must not be a link).
    ///   - expected: the inode the caller checked: a different one opened is reported (transient).
    static func read(
        _ path: String, name: String, followLinks: Bool, expected: stat? = nil, maxSize: Int64
    ) throws(DirectoryError) -> (bytes: [UInt8], stamp: FileStamp) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (followLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            // ELOOP: the name became a link after it was checked; ENOENT: it went away. The next poll sees.
            let transient = !followLinks && (errno == ELOOP || errno == ENOENT)
            throw DirectoryError(path: name, reason: String(cString: strerror(errno)), transient: transient)
        }
        defer { close(fd) }
        var before = stat()
        guard fstat(fd, &before) == 0 else {
            throw DirectoryError(path: name, reason: String(cString: strerror(errno)))
        }
        if let expected, before.st_dev != expected.st_dev || before.st_ino != expected.st_ino {
            throw DirectoryError(path: name, reason: "changed while being opened", transient: true)
        }
        guard (before.st_mode & S_IFMT) == S_IFREG else {
            throw DirectoryError(path: name, reason: "not a regular file")
        }
        guard Int64(before.st_size) <= maxSize else {
            throw DirectoryError(path: name, reason: "larger than \(maxSize) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: Int(before.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { raw in
                systemRead(fd, raw.baseAddress! + filled, raw.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw DirectoryError(path: name, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            filled += count
        }
        var after = stat()
        guard fstat(fd, &after) == 0, filled == bytes.count, FileStamp(after) == FileStamp(before) else {
            throw DirectoryError(path: name, reason: "changed while being read", transient: true)
        }
        return (bytes, FileStamp(before))
    }
}

/// `read(2)`, named apart from `read(_:)` above.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(fd, buffer, count)
    #else
        Darwin.read(fd, buffer, count)
    #endif
}
