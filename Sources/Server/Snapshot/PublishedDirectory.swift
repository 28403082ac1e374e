import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Read access to the published directory, as deployments present it: regular files, and symlinks whose
/// resolved target is a regular file inside the directory (a Kubernetes ConfigMap volume's
/// `office.hosts -> ..data/office.hosts`, `..data -> ..2026_12_01_…`, swapped atomically). Anything else —
/// a link that leads outside, dangles or loops, a FIFO, a device, a socket, a subdirectory — is listed as
/// refused, with why, and never opened: a FIFO would block a read, a device could do anything on open.
///
/// A link is resolved (`realpath`) and its target checked before it is opened; the target is then read by
/// HostsCore's ``TrustedFile`` (`O_NOFOLLOW | O_NONBLOCK`, judged again on the descriptor) and must be the very
/// inode that was checked, so swapping the link between the check and the open yields an error, never the bytes
/// of a file outside the directory.
struct PublishedDirectory: Sendable {
    let path: String

    /// One name of the directory.
    enum Entry: Hashable, Sendable {
        /// A regular file, or a link to one inside the directory: the stamp is the file's (the target's).
        case file(FileStamp)
        /// Not something the server reads, and why (no path in the reason: it is shown by /healthz).
        case refused(String)
    }

    /// Every name in the directory but those starting with a dot, each with its stamp or why it is refused.
    func list() throws(DirectoryError) -> [String: Entry] {
        guard let handle = opendir(path) else {
            throw DirectoryError(path: path, reason: String(cString: strerror(errno)))
        }
        defer { closedir(handle) }
        let root = realDirectory()
        var entries: [String: Entry] = [:]
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            switch resolve(name, root: root) {
            case .success(let target): entries[name] = .file(FileStamp(target.info))
            case .failure(let refusal): entries[name] = .refused(refusal.reason)
            }
        }
        return entries
    }

    /// Reads one file by name (a regular file, or a link to one inside the directory). The stamp returned
    /// is taken from the open descriptor before and after reading; if they differ the file was being
    /// rewritten in place and the read is reported as such.
    func read(_ name: String) throws(DirectoryError) -> (bytes: [UInt8], stamp: FileStamp) {
        let target: Target
        switch resolve(name, root: realDirectory()) {
        case .success(let resolved): target = resolved
        case .failure(let refusal): throw DirectoryError(path: join(name), reason: refusal.reason)
        }
        return try TrustedFile.serverRead(target.path, name: join(name), .publishedFile, expected: target.info)
    }

    // MARK: Resolving

    /// What a name leads to: the path to open and what `stat` said of it.
    private struct Target {
        var path: String
        var info: stat
    }

    private struct Refusal: Error {
        var reason: String
    }

    /// The directory's own resolved path (it may itself be reached through links), or nil if it cannot be
    /// resolved (then every link is refused).
    private func realDirectory() -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private func join(_ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }

    private func resolve(_ name: String, root: String?) -> Result<Target, Refusal> {
        let entryPath = join(name)
        var info = stat()
        guard lstat(entryPath, &info) == 0 else {
            return .failure(Refusal(reason: String(cString: strerror(errno))))
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFREG { return .success(Target(path: entryPath, info: info)) }
        guard type == S_IFLNK else { return .failure(Refusal(reason: "not a regular file (\(Self.describe(type)))")) }

        guard let root else {
            return .failure(Refusal(reason: "the published directory's own path cannot be resolved"))
        }
        guard let resolved = realpath(entryPath, nil) else {
            let reason =
                switch errno {
                case ELOOP: "a symlink loop"
                case ENOENT: "a symlink to nothing"
                default: String(cString: strerror(errno))
                }
            return .failure(Refusal(reason: reason))
        }
        let targetPath = String(cString: resolved)
        free(resolved)
        let prefix = root.hasSuffix("/") ? root : root + "/"
        guard targetPath.hasPrefix(prefix) else {
            return .failure(Refusal(reason: "a symlink that leads outside the published directory"))
        }
        var target = stat()
        guard lstat(targetPath, &target) == 0 else {
            return .failure(Refusal(reason: String(cString: strerror(errno))))
        }
        let targetType = target.st_mode & S_IFMT
        guard targetType == S_IFREG else {
            return .failure(Refusal(reason: "a symlink to something not a regular file (\(Self.describe(targetType)))"))
        }
        return .success(Target(path: targetPath, info: target))
    }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symlink"
        default: "an unknown kind of file"
        }
    }
}

/// A failure to list or read the published directory, naming the path.
struct DirectoryError: Error, CustomStringConvertible, Sendable {
    var path: String
    var reason: String
    /// True when trying again on the next poll is expected to succeed.
    var transient = false
    var description: String { "\(path): \(reason)" }
}
