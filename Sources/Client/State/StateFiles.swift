import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Opening files under the state directory: never through a symlink (O_NOFOLLOW), only plain files, and, when
/// running as root, only files root owns and nobody else may write. Whatever is there was put there by root or
/// is refused, so no other user can make root read, print or copy a file of their choosing. The reading is
/// HostsCore's ``TrustedFile`` (`TrustedFile.Policy.stateFile`), the same as for every file the client reads by path.
enum StateFiles {
    /// The whole file, or nil when it does not exist.
    static func contentsIfPresent(of path: String) throws -> [UInt8]? {
        do {
            return try TrustedFile.readIfPresent(path, .stateFile())
        } catch {
            if error.refused { throw ClientError.unsafeStateFile(path: path, reason: error.reason) }
            throw FileSystemError(path: path, operation: "read", code: error.code ?? EIO)
        }
    }

    static let symlinkReason = "it is a symbolic link, which is not followed here"

    /// Refuses an open file that is not a plain file root alone controls.
    static func check(fd: Int32, path: String, euid: uid_t = geteuid()) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(path: path, operation: "stat") }
        if let reason = problem(with: info, euid: euid) {
            throw ClientError.unsafeStateFile(path: path, reason: reason)
        }
    }

    /// Why a state file described by `info` (from fstat or lstat) is not to be trusted, or nil. Only root's state is
    /// guarded: an unprivileged user's state dir only ever steers that user's writes.
    static func problem(with info: stat, euid: uid_t = geteuid()) -> String? {
        TrustedFile.problem(with: info, path: "", .stateFile(euid: euid))?.reason
    }

    /// lstat's verdict on a path (nil: fine or absent), for listings that must not open what they show.
    static func problem(at path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return problem(with: info)
    }
}
