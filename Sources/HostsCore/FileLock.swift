#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on a lock file, waited for no longer than a deadline, held until ``release()`` or the
/// process ends (flock belongs to the open file: a killed holder never leaves a stale lock).
///
/// The lock file is opened without following a symlink, so a link planted in its place cannot make the holder
/// create or truncate another file.
public final class FileLock {
    private var fd: Int32
    public let path: String

    /// Takes the lock on `path` (created 0600 if missing), polling while another process holds it, for at most
    /// `timeout` seconds; then throws, naming the file.
    public init(path: String, timeout: Double) throws(AtomicFileError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AtomicFileError(path: path, step: "open the lock file", errno: errno) }
        var waited = 0.0
        let step = 0.02
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw AtomicFileError(path: path, step: "lock", errno: code)
            }
            guard waited < timeout else {
                close(fd)
                throw AtomicFileError(
                    path: path, step: "lock",
                    reason: "another process has held it for \(Int(timeout.rounded())) s (still running?)")
            }
            usleep(UInt32(step * 1_000_000))
            waited += step
        }
    }

    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
