#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Opening files under the state directory: never through a symlink (O_NOFOLLOW), only plain files, and, when
/// running as root, only files root owns and nobody else may write. Whatever is there was put there by root or
/// is refused, so no other user can make root read, print or copy a file of their choosing.
enum StateFiles {
    /// The whole file, or nil when it does not exist.
    static func contentsIfPresent(of path: String) throws -> [UInt8]? {
        // O_NONBLOCK: a FIFO planted as a state file must not hang the client (fstat refuses it next).
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP { throw ClientError.unsafeStateFile(path: path, reason: symlinkReason) }
            throw FileSystemError(path: path, operation: "read", code: code)
        }
        defer { close(fd) }
        try check(fd: fd, path: path)
        return try FileIO.readAll(fd: fd, path: path)
    }

    static let symlinkReason = "it is a symbolic link, which hosts-client never follows"

    /// Refuses an open file that is not a plain file root alone controls.
    static func check(fd: Int32, path: String, euid: uid_t = geteuid()) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(path: path, operation: "stat") }
        if let reason = problem(with: info, euid: euid) {
            throw ClientError.unsafeStateFile(path: path, reason: reason)
        }
    }

    /// Why a state file described by `info` (from fstat or lstat) is not to be trusted, or nil.
    static func problem(with info: stat, euid: uid_t = geteuid()) -> String? {
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: return symlinkReason
        default: return "it is not a regular file"
        }
        // Only root's state is guarded: an unprivileged user's state dir only ever steers that user's writes.
        guard euid == 0 else { return nil }
        if info.st_uid != 0 { return "it is owned by uid \(info.st_uid), not root" }
        if info.st_mode & 0o022 != 0 {
            return "it is writable by \(info.st_mode & 0o002 != 0 ? "others" : "its group")"
                + " (mode \(String(info.st_mode & 0o7777, radix: 8)))"
        }
        if info.st_nlink > 1 { return "it has \(info.st_nlink) hard links (another name could change it)" }
        return nil
    }

    /// lstat's verdict on a path (nil: fine or absent), for listings that must not open what they show.
    static func problem(at path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return problem(with: info)
    }
}
