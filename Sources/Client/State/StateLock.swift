#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One writer at a time: an exclusive `flock` on `STATE_DIR/lock`, held until `release()` or process exit.
///
/// flock is tied to the open file, so a killed client never leaves a stale lock behind.
final class StateLock {
    private var fd: Int32

    /// Takes the lock, waiting for another client to finish; `onWait` is called once if it has to wait.
    /// The lock file is opened without following a symlink: a dangling one planted there would otherwise make
    /// root create the file it points to.
    init(paths: StatePaths, onWait: () -> Void = {}) throws {
        try StateDirectory.create(paths)
        fd = open(paths.lockFile, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == ELOOP {
                throw ClientError.unsafeStateFile(path: paths.lockFile, reason: StateFiles.symlinkReason)
            }
            throw FileSystemError(path: paths.lockFile, operation: "open lock file")
        }
        do {
            try StateFiles.check(fd: fd, path: paths.lockFile)
        } catch {
            close(fd)
            throw error
        }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
        guard errno == EWOULDBLOCK else {
            let error = FileSystemError(path: paths.lockFile, operation: "lock")
            close(fd)
            throw error
        }
        onWait()
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let error = FileSystemError(path: paths.lockFile, operation: "lock")
            close(fd)
            throw error
        }
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
