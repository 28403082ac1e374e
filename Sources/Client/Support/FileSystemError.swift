import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call on a named path, carrying errno so callers can tell "permission denied" apart.
struct FileSystemError: Error, CustomStringConvertible {
    var path: String
    var operation: String
    var code: Int32
    /// Set when the reason is not an errno (a refused symlink).
    var reasonOverride: String?

    init(path: String, operation: String, code: Int32 = errno) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    /// EACCES/EPERM/EROFS: the fix is not retrying (a user or a file system setting must change).
    var isPermissionProblem: Bool { code == EACCES || code == EPERM || code == EROFS }

    /// Running as root would fix it: so the message may end in "run: sudo …" (never for root itself, a
    /// read-only file system or an immutable file).
    var rootWouldHelp: Bool { FileWriteProblem.rootWouldHelp(code: code, path: path) }

    var reason: String {
        if let reasonOverride { return reasonOverride }
        let text = String(cString: strerror(code)).lowercased()
        return FileWriteProblem.hint(code: code, path: path).map { "\(text): \($0)" } ?? text
    }

    var description: String { "cannot \(operation) \(path): \(reason)" }
}

extension FileSystemError {
    /// Keeps errno from HostsCore's AtomicFile so permission problems still get the "run with sudo" hint.
    init(atomic error: AtomicFileError) {
        self.init(path: error.path, operation: error.step, code: error.code)
        reasonOverride = error.reasonOverride
    }

    static func wrap<T>(_ body: () throws(AtomicFileError) -> T) throws(FileSystemError) -> T {
        do { return try body() } catch { throw FileSystemError(atomic: error) }
    }
}
