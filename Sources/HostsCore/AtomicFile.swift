#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// File-scope wrappers: inside AtomicFile, `read` and `write` name its own methods.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }

/// Replaces files so that a reader (or a crash) sees the complete old or the complete new content, never a mix.
public enum AtomicFile {
    /// Writes `bytes` to a temporary file in the same directory, fsyncs it, renames it over `path` and
    /// fsyncs the directory. An existing file's mode and owner are kept; a new file gets `mode`.
    /// `keepOwnerAndMode: false` always gives `mode` and the writer's owner, and never looks at what `path` is
    /// now: a private state file must not take them from a file (or a symlink's target) someone else put there.
    public static func write(
        _ bytes: some Collection<UInt8>, to path: String, mode: UInt32 = 0o644, keepOwnerAndMode: Bool = true
    ) throws(AtomicFileError) {
        let directory = Self.directory(of: path)
        var existing = stat()
        let exists = keepOwnerAndMode && stat(path, &existing) == 0
        let temporary = "\(directory)/.\(Self.baseName(of: path)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(
            temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, exists ? existing.st_mode & 0o7777 : mode_t(mode))
        guard fd >= 0 else {
            throw AtomicFileError(path: path, step: "create a temporary file in \(directory)", errno: errno)
        }
        var failure: AtomicFileError?
        if exists {
            // fchmod: open's mode is filtered by the umask; fchown: keep root-owned files root-owned.
            _ = fchmod(fd, existing.st_mode & 0o7777)
            if getuid() == 0 { _ = fchown(fd, existing.st_uid, existing.st_gid) }
        } else if !keepOwnerAndMode {
            _ = fchmod(fd, mode_t(mode))
        }
        do throws(AtomicFileError) {
            try writeAll(fd: fd, bytes, path: temporary)
            if fsync(fd) != 0 { throw AtomicFileError(path: temporary, step: "fsync", errno: errno) }
        } catch {
            failure = error
        }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 {
            failure = AtomicFileError(path: path, step: "rename \(temporary) into place", errno: errno)
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        syncDirectory(directory)
    }

    /// Like ``write(_:to:mode:)``, but does nothing and returns false when `path` already holds exactly `bytes`.
    @discardableResult
    public static func writeIfChanged(_ bytes: some Collection<UInt8>, to path: String, mode: UInt32 = 0o644)
        throws(AtomicFileError) -> Bool
    {
        if let current = try? read(path), current.elementsEqual(bytes) { return false }
        try write(bytes, to: path, mode: mode)
        return true
    }

    /// Reads a whole file.
    public static func read(_ path: String) throws(AtomicFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: path, step: "open", errno: errno) }
        defer { close(fd) }
        return try readAll(fd: fd, path: path)
    }

    /// Reads `fd` to its end: straight into the result up to the size fstat reports (one copy of a 4 MB hosts
    /// file, not two), then whatever the file grew by. `path` names the file in errors.
    public static func readAll(fd: Int32, path: String) throws(AtomicFileError) -> [UInt8] {
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        var failure: Int32 = 0
        var result = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let got = systemRead(fd, buffer.baseAddress! + count, size - count)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if got == 0 { break }
                count += got
            }
        }
        if failure != 0 { throw AtomicFileError(path: path, step: "read", errno: failure) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError(path: path, step: "read", errno: errno)
            }
            if count == 0 { break }
            result += chunk[0..<count]
        }
        return result
    }

    /// Writes every byte to `fd`, retrying short writes and EINTR.
    public static func writeAll(fd: Int32, _ bytes: some Collection<UInt8>, path: String) throws(AtomicFileError) {
        // An array (the usual case) is written from its own storage rather than copied first.
        let failure =
            bytes.withContiguousStorageIfAvailable { writeAll(fd: fd, UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes { writeAll(fd: fd, $0) }
        if failure != 0 { throw AtomicFileError(path: path, step: "write", errno: failure) }
    }

    /// 0 when every byte was written, else the errno.
    private static func writeAll(fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < buffer.count {
            let written = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }

    /// fsyncs a directory so a rename inside it survives a power cut.
    public static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// A file could not be read or replaced; says which file, which step, and the system's reason.
public struct AtomicFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var step: String
    public var code: Int32

    public init(path: String, step: String, errno code: Int32) {
        self.path = path
        self.step = step
        self.code = code
    }

    public var description: String {
        "\(path): cannot \(step): \(String(cString: strerror(code)))"
    }
}
