import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One writer at a time: an exclusive `flock` on `STATE_DIR/lock`, held until `release()` or process exit.
///
/// flock is tied to the open file, so a killed client never leaves a stale lock behind.
final class StateLock {
    private let file: FileLock

    /// Takes the lock, waiting for another client to finish; `onWait` is called once if it has to wait.
    /// The lock file is opened without following a symlink (a dangling one planted there would otherwise make
    /// root create the file it points to) and checked like every state file before it is waited on.
    init(paths: StatePaths, onWait: () -> Void = {}) throws {
        try StateDirectory.create(paths)
        do {
            file = try FileLock(opening: paths.lockFile)
        } catch {
            if error.code == ELOOP {
                throw ClientError.unsafeStateFile(path: paths.lockFile, reason: StateFiles.symlinkReason)
            }
            throw FileSystemError(path: paths.lockFile, operation: "open lock file", code: error.code)
        }
        try StateFiles.check(fd: file.descriptor, path: paths.lockFile)
        do {
            // No deadline: the holder is another root hosts-client, whose own network I/O happens outside the
            // lock and is bounded by its timeout.
            try file.lock(timeout: nil, onWait: onWait)
        } catch {
            throw FileSystemError(path: paths.lockFile, operation: "lock", code: error.code)
        }
    }

    func release() { file.release() }
}
