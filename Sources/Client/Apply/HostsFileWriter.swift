import Foundation
import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes the machine's hosts file so that it is never left partial and never overwrites someone else's edit.
///
/// The write itself is HostsCore's `AtomicFile` (temp file next to the file, same owner, mode and extended
/// attributes, fsync, rename, fsync of the directory). A symlinked hosts file is written at its target and the
/// link kept. Just before the rename it checks that the file still holds what the new content was computed
/// from. When rename cannot replace the file (a bind-mounted /etc/hosts in a container gives EBUSY or EXDEV) it
/// rewrites the file in place instead — after the backup, which every write takes first.
struct HostsFileWriter {
    enum Outcome: Equatable {
        case unchanged
        case written(backupID: String?, inPlace: Bool)
    }

    var path: String
    var backups: BackupStore
    var maxAttempts = 5
    /// The largest hosts file read or written (``defaultMaxBytes``).
    var maxBytes = Self.defaultMaxBytes

    /// 256 MiB: well above any real hosts file (the largest ad-block lists, a million names and more, are tens of
    /// MiB), and a bound on what a file at `--hosts-file` can make root read into memory (a sparse file of a
    /// terabyte was read whole: the allocation alone killed the client). Writes are held to it too, so the client
    /// never writes a file it would refuse to read back.
    static let defaultMaxBytes = 256 << 20

    static let options = AtomicFile.Options(
        mode: 0o644, keepMetadata: true, symlinks: .followToTarget, rewriteInPlaceWhenPinned: true)

    /// Reads the current file (empty when absent), asks `transform` for new bytes (nil: nothing to do) and writes
    /// them. If the file changes while this runs, starts over with the new content. `willReplace` runs after the
    /// backup, before the file is replaced (the pending-flush mark).
    func update(
        willReplace: () throws -> Void = {}, _ transform: (_ current: [UInt8]) throws -> [UInt8]?
    ) throws -> Outcome {
        // We hold the state lock: a temporary of a writer that is gone is a leftover of a crash.
        AtomicFile.removeStaleTemporaries(of: path, symlinks: .followToTarget)
        for _ in 0..<maxAttempts {
            let current = try readCurrent()
            try FileSystemError.wrap { () throws(AtomicFileError) in
                try AtomicFile.checkWritable(path, symlinks: .followToTarget)
            }
            guard let new = try transform(current.bytes), new != current.bytes else { return .unchanged }
            guard new.count <= maxBytes else {
                throw ClientError.hostsFileTooLarge(path: path, size: new.count, limit: maxBytes, writing: true)
            }
            let backupID = current.info == nil ? nil : try backups.save(current.bytes)
            try willReplace()
            var readError: (any Error)?
            let outcome = try FileSystemError.wrap { () throws(AtomicFileError) in
                try AtomicFile.replace(path, with: new, options: Self.options) {
                    do {
                        return try readCurrent().bytes == current.bytes
                    } catch {
                        readError = error
                        return false
                    }
                }
            }
            if let readError { throw readError }
            switch outcome {
            case .renamed: return .written(backupID: backupID, inPlace: false)
            case .rewrittenInPlace: return .written(backupID: backupID, inPlace: true)
            case .changedMeanwhile: continue
            }
        }
        throw ClientError.hostsFileKeptChanging(path: path)
    }

    /// Fails early — before any backup or other change — when the file cannot be written or is not one
    /// hosts-client can manage (unbalanced markers, UTF-16).
    func checkWritable() throws {
        try FileSystemError.wrap { () throws(AtomicFileError) in
            try AtomicFile.checkWritable(path, symlinks: .followToTarget)
        }
        do {
            _ = try HostsDocument(bytes: try readCurrent().bytes)
        } catch let error as HostsDocumentError {
            throw ClientError.unbalancedMarkers(path: path, reason: error.description)
        }
    }

    struct Snapshot {
        var bytes: [UInt8]
        var info: stat?
    }

    /// The file as it is now (through a symlink), empty when it does not exist; a file over ``maxBytes`` is refused
    /// before it is read (and one that grows past it while being read, once the cap is passed).
    ///
    /// Not HostsCore's `TrustedFile`: the hosts file may be a symbolic link that is followed (and written at its
    /// target), it is not judged by its owner (root's /etc/hosts, or the user's own `--hosts-file`), and the writer
    /// needs the stat of what it read. The cap is the same bounded read (`AtomicFile.readAll(limit:)`).
    func readCurrent() throws -> Snapshot {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return Snapshot(bytes: [], info: nil) }
            throw FileSystemError(path: path, operation: "read")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(path: path, operation: "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ClientError.notAFile(path: path) }
        guard Int(info.st_size) <= maxBytes else {
            throw ClientError.hostsFileTooLarge(path: path, size: Int(info.st_size), limit: maxBytes, writing: false)
        }
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.readAll(fd: fd, path: path, limit: maxBytes)
        } catch {
            throw FileSystemError(atomic: error)
        }
        guard bytes.count <= maxBytes else {
            throw ClientError.hostsFileTooLarge(path: path, size: nil, limit: maxBytes, writing: false)
        }
        return Snapshot(bytes: bytes, info: info)
    }
}
