import CFileMetadata

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// File-scope wrappers: inside AtomicFile, `read` and `write` name its own methods.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }

/// Replaces files so that a reader (or a crash) sees the complete old or the complete new content, never a mix.
///
/// The one writer for every file PseudoDNS writes (the hosts file, the client's state, the generator's output):
/// a temporary file in the same directory as the file it replaces, written, fsynced, given the old file's owner,
/// mode and extended attributes (or the requested mode), renamed over it, and the directory fsynced.
public enum AtomicFile {
    /// What to do when the path to write is a symbolic link.
    public enum Symlinks: Sendable, Equatable {
        /// Rename over the link itself (it becomes a regular file; its target is left alone).
        case replaceLink
        /// Write the file the link points to (in that file's directory), keeping the link: a symlinked
        /// /etc/hosts (NixOS, container and configuration-management setups).
        case followToTarget
        /// Throw, naming the link: for files another user might plant a link in place of.
        case refuse
    }

    /// How ``replace(_:with:options:stillCurrent:)`` treats the file it replaces.
    public struct Options: Sendable, Equatable {
        /// Mode of a new file, and of a replaced one unless `keepMetadata`.
        public var mode: UInt32
        /// Give the new file the old one's owner, group, mode and extended attributes (ACLs, SELinux labels).
        /// When the owner cannot be kept (not root), the write fails rather than silently changing hands.
        public var keepMetadata: Bool
        public var symlinks: Symlinks
        /// When rename cannot replace the file because it is a mount point (EBUSY, EXDEV: a bind-mounted
        /// /etc/hosts in a container), overwrite it in place instead. A crash then can leave it partial, so
        /// only for callers that keep a backup first.
        public var rewriteInPlaceWhenPinned: Bool

        public init(
            mode: UInt32 = 0o644, keepMetadata: Bool = true, symlinks: Symlinks = .replaceLink,
            rewriteInPlaceWhenPinned: Bool = false
        ) {
            self.mode = mode
            self.keepMetadata = keepMetadata
            self.symlinks = symlinks
            self.rewriteInPlaceWhenPinned = rewriteInPlaceWhenPinned
        }
    }

    /// How a replacement ended.
    public enum Outcome: Sendable, Equatable {
        case renamed
        /// Overwritten in place (see ``Options/rewriteInPlaceWhenPinned``).
        case rewrittenInPlace
        /// `stillCurrent` said no: nothing was replaced.
        case changedMeanwhile
    }

    /// Writes `bytes` to a temporary file in the same directory, fsyncs it, renames it over `path` and
    /// fsyncs the directory. An existing file's mode, owner and extended attributes are kept; a new file gets `mode`.
    public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: UInt32 = 0o644)
        throws(AtomicFileError)
    {
        _ = try replace(path, with: bytes, options: Options(mode: mode))
    }

    /// Replaces the file at `path` (or, with ``Symlinks/followToTarget``, the file it links to) with `bytes`.
    ///
    /// `stillCurrent` runs once the new content is safely in the temporary file, just before the rename: when it
    /// returns false (the file changed since the caller read it), nothing is replaced.
    public static func replace(
        _ path: String, with bytes: some Collection<UInt8>, options: Options = Options(),
        stillCurrent: () -> Bool = { true }
    ) throws(AtomicFileError) -> Outcome {
        let target = try self.target(of: path, symlinks: options.symlinks)
        let directory = Self.directory(of: target)
        let temporary = try writeTemporary(for: target, bytes, options: options)
        guard stillCurrent() else {
            unlink(temporary)
            return .changedMeanwhile
        }
        if rename(temporary, target) != 0 {
            let code = errno
            unlink(temporary)
            guard options.rewriteInPlaceWhenPinned, code == EBUSY || code == EXDEV else {
                throw AtomicFileError(path: target, step: "replace", errno: code)
            }
            try rewriteInPlace(target, bytes)
            return .rewrittenInPlace
        }
        syncDirectory(directory)
        return .renamed
    }

    /// A fsynced temporary next to `target` holding `bytes`, with the metadata `options` asks for; returns its path.
    /// Nothing is left behind when it fails.
    static func writeTemporary(for target: String, _ bytes: some Collection<UInt8>, options: Options)
        throws(AtomicFileError) -> String
    {
        let directory = Self.directory(of: target)
        // The old file, opened (not just stat'ed) so its attributes are read from the file that is replaced.
        let noFollow = options.symlinks == .replaceLink ? 0 : O_NOFOLLOW
        // Without keepMetadata nothing is taken from the old file, so it is not opened: a planted link to a
        // device must not be opened by root at all.
        let oldFD = options.keepMetadata ? open(target, O_RDONLY | O_NONBLOCK | noFollow | O_CLOEXEC) : -1
        defer { if oldFD >= 0 { close(oldFD) } }
        var existing = stat()
        let exists = oldFD >= 0 && fstat(oldFD, &existing) == 0
        if oldFD < 0, options.keepMetadata, errno != ENOENT {
            throw AtomicFileError(path: target, step: "open", errno: errno)
        }
        let temporary = "\(directory)/\(temporaryPrefix(of: target))\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // 0600 until owner and mode are set: nobody else can open it in between.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw AtomicFileError(path: target, step: "create a temporary file next to", errno: errno)
        }
        var failure: AtomicFileError?
        do throws(AtomicFileError) {
            try setMetadata(
                fd: fd, temporary: temporary, target: target, from: exists ? (oldFD, existing) : nil, options)
            try writeAll(fd: fd, bytes, path: temporary)
            if fsync(fd) != 0 { throw AtomicFileError(path: temporary, step: "fsync", errno: errno) }
        } catch {
            failure = error
        }
        close(fd)
        if let failure {
            unlink(temporary)
            throw failure
        }
        return temporary
    }

    /// Like ``write(_:to:mode:)``, but does nothing and returns false when `path` already holds exactly `bytes`.
    @discardableResult
    public static func writeIfChanged(_ bytes: some Collection<UInt8>, to path: String, mode: UInt32 = 0o644)
        throws(AtomicFileError) -> Bool
    {
        if let current = try? read(path), current.elementsEqual(bytes) { return false }
        try write(bytes, to: path, mode: mode)
        return true
    }

    /// Fails — before the caller does any other work — when this process may not replace `path` (or, with
    /// ``Symlinks/followToTarget``, its target): not writable, immutable, or on a read-only file system.
    public static func checkWritable(_ path: String, symlinks: Symlinks = .replaceLink) throws(AtomicFileError) {
        let target = try self.target(of: path, symlinks: symlinks)
        // `.replaceLink` replaces a link without writing through it, so only its target's permissions matter.
        let noFollow = symlinks == .replaceLink ? 0 : O_NOFOLLOW
        let fd = open(target, O_WRONLY | O_APPEND | O_NONBLOCK | noFollow | O_CLOEXEC)
        if fd >= 0 {
            close(fd)
            return
        }
        if errno != ENOENT { throw AtomicFileError(path: target, step: "write", errno: errno) }
        if access(directory(of: target), W_OK) != 0 {
            throw AtomicFileError(path: target, step: "create", errno: errno)
        }
    }

    /// The file that writing `path` replaces: `path` itself, or with ``Symlinks/followToTarget`` the end of its
    /// chain of links (which may not exist yet). Throws for a link under ``Symlinks/refuse``.
    public static func target(of path: String, symlinks: Symlinks) throws(AtomicFileError) -> String {
        if symlinks == .replaceLink { return path }
        var current = path
        // Linux gives up after 40 links; so does this.
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            if symlinks == .refuse {
                throw AtomicFileError(
                    path: current, step: "write",
                    reason: "it is a symbolic link, which is never followed here; remove it")
            }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else { throw AtomicFileError(path: current, step: "read the link", errno: errno) }
            let link = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : directory(of: current) + "/" + link
        }
        throw AtomicFileError(path: path, step: "follow the link", errno: ELOOP)
    }

    /// Deletes temporaries that an earlier writer of `path` left when it was killed mid-write (its process is
    /// gone); a live writer's temporary is never touched.
    public static func removeStaleTemporaries(of path: String, symlinks: Symlinks = .replaceLink) {
        guard let target = try? self.target(of: path, symlinks: symlinks) else { return }
        let directory = Self.directory(of: target)
        let prefix = temporaryPrefix(of: target)
        guard let dir = opendir(directory) else { return }
        defer { closedir(dir) }
        var stale: [String] = []
        // Bounded: a directory with more entries than this is not a hosts file's directory.
        for _ in 0..<100_000 {
            guard let entry = readdir(dir) else { break }
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            guard name.hasPrefix(prefix), let dash = name.dropFirst(prefix.count).firstIndex(of: "-"),
                let pid = Int32(name[name.index(name.startIndex, offsetBy: prefix.count)..<dash])
            else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { stale.append(name) }
        }
        for name in stale { unlink("\(directory)/\(name)") }
    }

    /// Reads a whole file.
    public static func read(_ path: String) throws(AtomicFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: path, step: "open", errno: errno) }
        defer { close(fd) }
        return try readAll(fd: fd, path: path)
    }

    /// Reads `fd` to its end: straight into the result up to the size fstat reports (one copy of a 4 MB hosts
    /// file, not two), then whatever the file grew by. `path` names the file in errors. With a `limit`, stops after
    /// `limit` + 1 bytes: a result longer than `limit` says the file is larger, without reading it whole.
    public static func readAll(fd: Int32, path: String, limit: Int = .max) throws(AtomicFileError) -> [UInt8] {
        let stop = limit == .max ? limit : limit + 1
        var info = stat()
        let size = min(fstat(fd, &info) == 0 ? Int(info.st_size) : 0, stop)
        var failure: Int32 = 0
        var result = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let got = systemRead(fd, buffer.baseAddress! + count, size - count)
                if got < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if got == 0 { break }
                count += got
            }
        }
        if failure != 0 { throw AtomicFileError(path: path, step: "read", errno: failure) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while result.count < stop {
            let wanted = min(chunk.count, stop - result.count)
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError(path: path, step: "read", errno: errno)
            }
            if count == 0 { break }
            result += chunk[0..<count]
        }
        return result
    }

    /// Writes every byte to `fd`, retrying short writes and EINTR.
    public static func writeAll(fd: Int32, _ bytes: some Collection<UInt8>, path: String) throws(AtomicFileError) {
        // An array (the usual case) is written from its own storage rather than copied first.
        let failure =
            bytes.withContiguousStorageIfAvailable { writeAll(fd: fd, UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes { writeAll(fd: fd, $0) }
        if failure != 0 { throw AtomicFileError(path: path, step: "write", errno: failure) }
    }

    /// 0 when every byte was written, else the errno.
    private static func writeAll(fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < buffer.count {
            let written = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }

    /// The temporary's owner, mode and extended attributes: the old file's, or the requested mode.
    private static func setMetadata(
        fd: Int32, temporary: String, target: String, from old: (fd: Int32, info: stat)?, _ options: Options
    ) throws(AtomicFileError) {
        guard options.keepMetadata, let old else {
            if fchmod(fd, mode_t(options.mode)) != 0 {
                throw AtomicFileError(path: temporary, step: "set the mode of", errno: errno)
            }
            return
        }
        // Owner first (fchown clears set-id bits), then the mode, then the attributes (an ACL sets mode bits too).
        if old.info.st_uid != geteuid() || old.info.st_gid != getegid() {
            if fchown(fd, old.info.st_uid, old.info.st_gid) != 0 {
                throw AtomicFileError(path: target, step: "keep the owner of", errno: errno)
            }
        }
        if fchmod(fd, old.info.st_mode & 0o7777) != 0 {
            throw AtomicFileError(path: target, step: "keep the mode of", errno: errno)
        }
        var failed = [CChar](repeating: 0, count: 256)
        if pseudodns_copy_xattrs(old.fd, fd, &failed, failed.count) != 0 {
            let code = errno
            let name = String(decoding: failed.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw AtomicFileError(path: target, step: "keep the extended attribute \(name) of", errno: code)
        }
    }

    /// The fallback for a file that cannot be replaced by rename: overwrite, truncate, fsync.
    private static func rewriteInPlace(_ path: String, _ bytes: some Collection<UInt8>) throws(AtomicFileError) {
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: path, step: "write", errno: errno) }
        defer { close(fd) }
        try writeAll(fd: fd, bytes, path: path)
        if ftruncate(fd, off_t(bytes.count)) != 0 { throw AtomicFileError(path: path, step: "truncate", errno: errno) }
        if fsync(fd) != 0 { throw AtomicFileError(path: path, step: "fsync", errno: errno) }
    }

    /// fsyncs a directory so a rename inside it survives a power cut.
    public static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// `.NAME.tmp-`: hidden, and named for the file it will replace (followed by the writer's pid and a random part).
    static func temporaryPrefix(of path: String) -> String { ".\(baseName(of: path)).tmp-" }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// A file could not be read or replaced; says which step on which file (`step` reads as a verb phrase whose
/// object is `path`: "cannot keep the owner of /etc/hosts"), and the system's reason — for the
/// failures root cannot fix by being root (read-only file system, immutable file), what to do instead.
public struct AtomicFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var step: String
    public var code: Int32
    /// Set when the reason is not an errno (a refused symlink).
    public var reasonOverride: String?

    public init(path: String, step: String, errno code: Int32) {
        self.path = path
        self.step = step
        self.code = code
    }

    public init(path: String, step: String, reason: String) {
        self.init(path: path, step: step, errno: EINVAL)
        reasonOverride = reason
    }

    public var reason: String {
        if let reasonOverride { return reasonOverride }
        let text = String(cString: strerror(code))
        return FileWriteProblem.hint(code: code, path: path).map { "\(text): \($0)" } ?? text
    }

    public var description: String { "cannot \(step) \(path): \(reason)" }
}

/// Why a write failed, in words that say what to do when being root is not the fix.
public enum FileWriteProblem {
    /// The immutable or append-only flag on `path` or on its directory, as chattr names it; nil when neither.
    public static func lockedFlag(path: String) -> String? {
        for candidate in [path, AtomicFile.directory(of: path)] {
            let flags = pseudodns_inode_write_flags(candidate)
            let what = candidate == path ? "the file" : "its directory \(candidate)"
            if flags & 1 != 0 {
                return "\(what) is immutable (chattr +i); remove the flag first: chattr -i \(candidate)"
            }
            if flags & 2 != 0 {
                return "\(what) is append-only (chattr +a); remove the flag first: chattr -a \(candidate)"
            }
        }
        return nil
    }

    /// What to do about `code` on `path` when being root is not the fix (EROFS, EPERM from an inode flag); nil
    /// otherwise.
    public static func hint(code: Int32, path: String) -> String? {
        if code == EROFS {
            return "the file system is mounted read-only; remount it read-write (root cannot write it either)"
        }
        if code == EPERM { return lockedFlag(path: path) }
        return nil
    }

    /// True when write permission is what is missing, so running as root would help (not already root, and not a
    /// read-only file system or an immutable file).
    public static func rootWouldHelp(code: Int32, path: String) -> Bool {
        guard code == EACCES || code == EPERM, geteuid() != 0 else { return false }
        return lockedFlag(path: path) == nil
    }
}
