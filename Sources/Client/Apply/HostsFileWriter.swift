import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes the machine's hosts file so that it is never left partial and never overwrites someone else's edit.
///
/// Temp file in the same directory, same mode and owner, fsync, then a check that the file still holds what the
/// new content was computed from, rename, fsync of the directory. When rename cannot replace the file (a
/// bind-mounted /etc/hosts in a container gives EBUSY or EXDEV) it rewrites the file in place instead — after
/// the backup, which every write takes first.
struct HostsFileWriter {
    enum Outcome: Equatable {
        case unchanged
        case written(backupID: String?, inPlace: Bool)
    }

    var path: String
    var backups: BackupStore
    var maxAttempts = 5

    private var directory: String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }
    private var tempPrefix: String { "." + (path as NSString).lastPathComponent + ".pseudodns-" }

    /// Reads the current file (empty when absent), asks `transform` for new bytes (nil: nothing to do) and writes
    /// them. If the file changes while this runs, starts over with the new content.
    func update(_ transform: (_ current: [UInt8]) throws -> [UInt8]?) throws -> Outcome {
        try removeStaleTemporaries()
        for _ in 0..<maxAttempts {
            let current = try readCurrent()
            try checkWritable(exists: current.info != nil)
            guard let new = try transform(current.bytes), new != current.bytes else { return .unchanged }
            let backupID = current.info == nil ? nil : try backups.save(current.bytes)
            if let inPlace = try replace(with: new, expecting: current) {
                return .written(backupID: backupID, inPlace: inPlace)
            }
        }
        throw ClientError.hostsFileKeptChanging(path: path)
    }

    // MARK: steps

    struct Snapshot {
        var bytes: [UInt8]
        var info: stat?
    }

    func readCurrent() throws -> Snapshot {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return Snapshot(bytes: [], info: nil) }
            throw FileSystemError(path: path, operation: "read")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(path: path, operation: "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ClientError.notAFile(path: path) }
        return Snapshot(bytes: try FileIO.readAll(fd: fd, path: path), info: info)
    }

    /// Fails early — before any backup or partial work — when this user may not write the file.
    func checkWritable(exists: Bool) throws {
        if exists {
            let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            if fd < 0 { throw FileSystemError(path: path, operation: "write") }
            close(fd)
        } else if access(directory, W_OK) != 0 {
            throw FileSystemError(path: path, operation: "create")
        }
    }

    /// Returns nil when the file changed under us (caller starts over), else whether it was rewritten in place.
    private func replace(with new: [UInt8], expecting old: Snapshot) throws -> Bool? {
        let tempPath = try writeTemporary(new, like: old.info)
        var renamed = false
        defer { if !renamed { unlink(tempPath) } }

        guard try readCurrent().bytes == old.bytes else { return nil }
        if rename(tempPath, path) == 0 {
            renamed = true
            try FileIO.fsyncDirectory(of: path)
            return false
        }
        let renameError = errno
        guard renameError == EBUSY || renameError == EXDEV else {
            throw FileSystemError(path: path, operation: "replace", code: renameError)
        }
        try rewriteInPlace(new)
        return true
    }

    private func writeTemporary(_ bytes: [UInt8], like info: stat?) throws -> String {
        var template = Array((directory + "/" + tempPrefix + "XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw FileSystemError(path: path, operation: "create a temporary file next to") }
        let tempPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(tempPath) }
        }
        let mode = info.map { $0.st_mode & 0o7777 } ?? 0o644
        if fchmod(fd, mode) != 0 { throw FileSystemError(path: tempPath, operation: "set mode of") }
        if let info, info.st_uid != geteuid() || info.st_gid != getegid() {
            if fchown(fd, info.st_uid, info.st_gid) != 0 {
                throw FileSystemError(path: path, operation: "keep the owner of")
            }
        }
        try FileIO.writeAll(fd: fd, bytes, path: tempPath)
        if fsync(fd) != 0 { throw FileSystemError(path: tempPath, operation: "sync") }
        ok = true
        return tempPath
    }

    /// The fallback for files that cannot be replaced by rename: overwrite, truncate, fsync.
    private func rewriteInPlace(_ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 { throw FileSystemError(path: path, operation: "write") }
        defer { close(fd) }
        try FileIO.writeAll(fd: fd, bytes, path: path)
        if ftruncate(fd, off_t(bytes.count)) != 0 { throw FileSystemError(path: path, operation: "truncate") }
        if fsync(fd) != 0 { throw FileSystemError(path: path, operation: "sync") }
    }

    /// Temporaries left by a client killed mid-write (we hold the state lock, so none is in use).
    private func removeStaleTemporaries() throws {
        for name in (try? FileIO.list(directory)) ?? [] where name.hasPrefix(tempPrefix) {
            unlink(directory + "/" + name)
        }
    }
}
