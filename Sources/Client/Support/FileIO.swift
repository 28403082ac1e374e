import Foundation
import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin POSIX file helpers that report failures as `FileSystemError` (with errno) rather than Foundation's errors.
enum FileIO {
    /// The whole file, or nil when it does not exist.
    static func contentsIfPresent(of path: String) throws(FileSystemError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw FileSystemError(path: path, operation: "read")
        }
        defer { close(fd) }
        return try readAll(fd: fd, path: path)
    }

    static func contents(of path: String) throws(FileSystemError) -> [UInt8] {
        guard let bytes = try contentsIfPresent(of: path) else {
            throw FileSystemError(path: path, operation: "read", code: ENOENT)
        }
        return bytes
    }

    static func readAll(fd: Int32, path: String) throws(FileSystemError) -> [UInt8] {
        do { return try AtomicFile.readAll(fd: fd, path: path) } catch { throw FileSystemError(atomic: error) }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// `mkdir -p` with the given mode for the folders it creates.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(FileSystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw FileSystemError(path: current, operation: "create directory")
            }
        }
    }

    static func remove(_ path: String) throws(FileSystemError) {
        if unlink(path) != 0 && errno != ENOENT {
            throw FileSystemError(path: path, operation: "remove")
        }
    }

    /// Names in a directory (no "." or ".."), empty when it does not exist.
    static func list(_ path: String) throws(FileSystemError) -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw FileSystemError(path: path, operation: "list")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Writes all bytes to an open descriptor, retrying short writes and EINTR.
    static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws(FileSystemError) {
        try FileSystemError.wrap { () throws(AtomicFileError) in try AtomicFile.writeAll(fd: fd, bytes, path: path) }
    }

    static func fsyncDirectory(of path: String) throws(FileSystemError) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw FileSystemError(path: directory, operation: "open directory") }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL { throw FileSystemError(path: directory, operation: "sync directory") }
    }
}
