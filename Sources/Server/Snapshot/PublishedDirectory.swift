#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Read access to the published directory. Only regular files directly inside it are ever seen:
/// entries are examined with `lstat` (a symlink is skipped, never followed) and opened with `O_NOFOLLOW`,
/// so a link planted in the directory cannot make the server read anything else.
struct PublishedDirectory: Sendable {
    let path: String

    /// Largest file the server will load; anything bigger is reported, not read.
    static let maxFileSize: Int64 = 32 * 1024 * 1024

    /// Names of the regular files in the directory with their stamps. Symlinks, subdirectories,
    /// sockets and the like are left out.
    func listRegularFiles() throws(DirectoryError) -> [String: FileStamp] {
        guard let handle = opendir(path) else {
            throw DirectoryError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { closedir(handle) }
        let dirFD = dirfd(handle)
        var files: [String: FileStamp] = [:]
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            var info = stat()
            guard fstatat(dirFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            guard (info.st_mode & S_IFMT) == S_IFREG else { continue }
            files[name] = FileStamp(info)
        }
        return files
    }

    /// Reads one regular file by name. The stamp returned is taken from the open descriptor before and
    /// after reading; if they differ the file was being rewritten in place and the read is reported as such.
    func read(_ name: String) throws(DirectoryError) -> (bytes: [UInt8], stamp: FileStamp) {
        let filePath = path.hasSuffix("/") ? path + name : path + "/" + name
        let fd = open(filePath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw DirectoryError(path: filePath, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var before = stat()
        guard fstat(fd, &before) == 0 else {
            throw DirectoryError(path: filePath, reason: String(cString: strerror(errno)))
        }
        guard (before.st_mode & S_IFMT) == S_IFREG else {
            throw DirectoryError(path: filePath, reason: "not a regular file")
        }
        guard Int64(before.st_size) <= Self.maxFileSize else {
            throw DirectoryError(path: filePath, reason: "larger than \(Self.maxFileSize) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: Int(before.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { raw in
                systemRead(fd, raw.baseAddress! + filled, raw.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw DirectoryError(path: filePath, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            filled += count
        }
        var after = stat()
        guard fstat(fd, &after) == 0, filled == bytes.count, FileStamp(after) == FileStamp(before) else {
            throw DirectoryError(path: filePath, reason: "changed while being read", transient: true)
        }
        return (bytes, FileStamp(before))
    }
}

/// A failure to list or read the published directory, naming the path.
struct DirectoryError: Error, CustomStringConvertible, Sendable {
    var path: String
    var reason: String
    /// True when trying again on the next poll is expected to succeed.
    var transient = false
    var description: String { "\(path): \(reason)" }
}

/// `read(2)`, named apart from `PublishedDirectory.read(_:)`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(fd, buffer, count)
    #else
        Darwin.read(fd, buffer, count)
    #endif
}
