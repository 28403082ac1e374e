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

    init(path: String, operation: String, code: Int32 = errno) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    /// EACCES/EPERM/EROFS: the fix is running as someone allowed to write, not retrying.
    var isPermissionProblem: Bool { code == EACCES || code == EPERM || code == EROFS }

    var reason: String { String(cString: strerror(code)).lowercased() }

    var description: String { "cannot \(operation) \(path): \(reason)" }
}

extension FileSystemError {
    /// Keeps errno from HostsCore's AtomicFile so permission problems still get the "run with sudo" hint.
    init(atomic error: AtomicFileError) {
        self.init(path: error.path, operation: error.step, code: error.code)
    }

    static func wrap(_ body: () throws(AtomicFileError) -> Void) throws(FileSystemError) {
        do { try body() } catch { throw FileSystemError(atomic: error) }
    }
}
