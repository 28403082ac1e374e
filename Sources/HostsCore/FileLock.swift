#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on a lock file, held until ``release()`` or the process ends (flock belongs to the open
/// file: a killed holder never leaves a stale lock). The one lock of the programs: the generator's publication
/// lock and the client's state-directory lock.
///
/// The lock file is opened without following a symlink, so a link planted in its place cannot make the holder
/// create or truncate another file.
public final class FileLock {
    private var fd: Int32
    public let path: String

    /// Opens (creating 0600 if missing) the lock file without locking it yet, so the caller can check the open
    /// file (owner, mode) before it waits on it. A symlink in its place fails with `ELOOP`.
    public init(opening path: String) throws(AtomicFileError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AtomicFileError(path: path, step: "open the lock file", errno: errno) }
    }

    /// Takes the lock on `path`, waiting for at most `timeout` seconds; then throws, naming the file.
    public convenience init(path: String, timeout: Double) throws(AtomicFileError) {
        try self.init(opening: path)
        try lock(timeout: timeout)
    }

    /// The open lock file, for checks on what was opened.
    public var descriptor: Int32 { fd }

    /// Takes the lock. `timeout`: seconds to wait while another process holds it (polling), nil to wait as long
    /// as that takes; `onWait` is called once if it has to wait at all.
    public func lock(timeout: Double?, onWait: () -> Void = {}) throws(AtomicFileError) {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
        guard errno == EWOULDBLOCK || errno == EINTR else { throw failure(errno) }
        onWait()
        guard let timeout else {
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else { throw failure(errno) }
            }
            return
        }
        var waited = 0.0
        let step = 0.02
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else { throw failure(code) }
            guard waited < timeout else {
                release()
                throw AtomicFileError(
                    path: path, step: "lock",
                    reason: "another process has held it for \(Int(timeout.rounded())) s (still running?)")
            }
            usleep(UInt32(step * 1_000_000))
            waited += step
        }
    }

    private func failure(_ code: Int32) -> AtomicFileError {
        release()
        return AtomicFileError(path: path, step: "lock", errno: code)
    }

    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
