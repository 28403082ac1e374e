import CFileMetadata

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a path's directories are controlled only by trusted owners, as sshd's StrictModes and sudo decide it:
/// every directory on the way is owned by one of them and writable by nobody else (a sticky directory such as /tmp
/// excepted: each user may only replace their own entries there, and the next component's owner is checked). A
/// symbolic link met on the way (in the path or in a link's target) is followed only when a trusted owner owns it,
/// its directory having been judged already, so nobody else can re-point it.
///
/// Walked by descriptors, as the kernel resolves a path: each component is opened (O_PATH, O_NOFOLLOW) relative to
/// the descriptor of the directory judged before it, and judged by fstat of the very descriptor the walk goes on
/// from; a link is read from the descriptor that was judged. The walk ends with the last component's directory
/// still open (``Place``), and the caller opens the name relative to it, never the path again. Judging by path and
/// opening by path would race a trusted owner who is not root (the user who ran sudo): swapping a directory of theirs
/// with a link to a directory only root may enter (renameat2 RENAME_EXCHANGE) between the two made root open a file
/// through a link the walk never saw.
public enum TrustedPath {
    /// One reason not to trust a path, and the command that fixes it.
    public struct Problem: Sendable, Equatable {
        /// The directory or link at fault.
        public var path: String
        public var reason: String
        public var fix: String
    }

    /// Where a walk ended.
    public struct Walk: Sendable {
        /// Every problem met, the directories nearest the root first.
        public var problems: [Problem]
        /// The path with every link resolved (its last component not judged: the caller does that), or nil when a
        /// component does not exist (or cannot be examined) or a refused link stopped the walk. For messages: the
        /// file is opened through ``place``.
        public var resolved: String?
        /// The judged directory of the last component, open, and that component: nil exactly when `resolved` is.
        public var place: Place?
    }

    /// A name in a directory held open: what a walk leads to, opened and examined relative to the directory's
    /// descriptor, so that nobody can change which directory it is after it was judged.
    public struct Place: Sendable {
        /// nil: `name` is a path, resolved from the working directory like any path (nothing judged).
        let directory: Descriptor?
        /// The last component, or "." when the walk ended in a directory it judged ("/", "a/b/..").
        public let name: String

        /// A path opened as written: for callers that judge no directory.
        public static func unjudged(_ path: String) -> Place { Place(directory: nil, name: path) }

        /// lstat of the name (a link is not followed): 0, or -1 with errno set.
        public func lstat(_ info: inout stat) -> Int32 {
            withExtendedLifetime(directory) { fstatat(directory?.fd ?? AT_FDCWD, name, &info, AT_SYMLINK_NOFOLLOW) }
        }

        /// openat(2) of the name: a descriptor the caller closes, or -1 with errno set.
        public func open(_ flags: Int32) -> Int32 {
            withExtendedLifetime(directory) { openat(directory?.fd ?? AT_FDCWD, name, flags) }
        }
    }

    /// A descriptor the walk opened, closed when the last reference to it goes (every way out of a walk, a
    /// ``Place`` dropped by its caller).
    final class Descriptor: Sendable {
        let fd: Int32
        init(_ fd: Int32) { self.fd = fd }
        deinit { close(fd) }

        /// `name` opened relative to this directory without following a link and without opening the file
        /// itself (no device is acted on, no FIFO blocks), or nil with errno set.
        func open(_ name: String, flags: Int32 = 0) -> Descriptor? {
            let fd = withExtendedLifetime(self) { openat(self.fd, name, pathOnly | O_NOFOLLOW | O_CLOEXEC | flags) }
            return fd < 0 ? nil : Descriptor(fd)
        }

        /// fstat of the descriptor.
        func status() -> stat? {
            var info = stat()
            return withExtendedLifetime(self) { fstat(fd, &info) } == 0 ? info : nil
        }
    }

    /// A descriptor for walking only (O_PATH): it does not open the file (no read permission needed, nothing acted
    /// on) and holds a link itself. Where there is none, O_RDONLY: a link on the way then ends the walk.
    static let pathOnly: Int32 = pseudodns_path_only_flag() != 0 ? pseudodns_path_only_flag() : O_RDONLY

    /// Which directory a descriptor is: what `..` must lead back to.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// Linux gives up after 40 links; so does this.
    static let maxLinks = 40

    /// Resolves `path` (absolute) one component at a time, as the kernel does, judging each directory on the way
    /// and every link met. `parentWord` names a directory in reasons ("its parent", "its directory"). Without
    /// `followLast`, a link as the last component is where the walk ends (the caller opens it with O_NOFOLLOW).
    /// `reader`: the user root walks for (``TrustedFile/Reader``); a directory they may not pass through is a problem.
    ///
    /// `..` leads to the directory judged before the current one (the resolved path's parent, as the kernel
    /// resolves it): it is opened relative to the current descriptor and must be that same directory (device and
    /// inode), else the walk stops with a problem (a directory on the way was moved meanwhile). Only two or three
    /// descriptors are open at a time, however long the path.
    public static func walk(
        _ path: String, owners: Set<uid_t>, parentWord: String = "its parent", followLast: Bool = true,
        reader: TrustedFile.Reader? = nil
    ) -> Walk {
        let missing = Walk(problems: [], resolved: nil, place: nil)
        let rootFD = open("/", pathOnly | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { return missing }
        let root = Descriptor(rootFD)
        guard let rootInfo = root.status() else { return missing }
        var found = judgeDirectory("/", root, rootInfo, owners: owners, parentWord: parentWord, reader: reader)
        var current = root
        var currentPath = ""  // the resolved directory so far; "" is "/"
        var trail: [Identity] = []  // the directories judged from "/" (excluded) to `current` (included)
        var pending = path.split(separator: "/").map(String.init)
        var links = 0
        func stop(_ problem: Problem? = nil) -> Walk {
            Walk(problems: found + (problem.map { [$0] } ?? []), resolved: nil, place: nil)
        }
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part.isEmpty || part == "." { continue }
            if part == ".." {
                guard !trail.isEmpty else { continue }  // "/.." is "/"
                trail.removeLast()
                guard let up = current.open("..", flags: O_DIRECTORY), let info = up.status(),
                    Identity(info) == trail.last ?? Identity(rootInfo)
                else {
                    return stop(
                        Problem(
                            path: currentPath, reason: "\(parentWord) \(currentPath) was moved while being checked",
                            fix: "try again"))
                }
                current = up
                currentPath = parent(of: currentPath)
                if currentPath == "/" { currentPath = "" }
                continue
            }
            let candidate = currentPath + "/" + part
            guard let next = current.open(part), let info = next.status() else { return stop() }
            if info.st_mode & S_IFMT == S_IFLNK {
                if pending.isEmpty && !followLast {
                    return Walk(
                        problems: found, resolved: candidate, place: Place(directory: current, name: part))
                }
                links += 1
                guard links <= maxLinks else {
                    return stop(
                        Problem(
                            path: candidate, reason: "too many symbolic links at \(candidate)",
                            fix: "give the real path, without links"))
                }
                guard owners.contains(info.st_uid) else {
                    return stop(
                        Problem(
                            path: candidate,
                            reason:
                                "the symbolic link \(candidate) is owned by uid \(info.st_uid), not \(describe(owners))",
                            fix: "rm \(candidate), after checking where it points"))
                }
                guard let target = readLink(next) else { return stop() }
                if target.hasPrefix("/") {
                    current = root
                    currentPath = ""
                    trail = []
                }
                pending = target.split(separator: "/").map(String.init) + pending
                continue
            }
            if pending.isEmpty {
                return Walk(problems: found, resolved: candidate, place: Place(directory: current, name: part))
            }
            found += judgeDirectory(candidate, next, info, owners: owners, parentWord: parentWord, reader: reader)
            // A file where a directory belongs: the path does not exist (ENOTDIR).
            guard info.st_mode & S_IFMT == S_IFDIR else { return stop() }
            current = next
            currentPath = candidate
            trail.append(Identity(info))
        }
        return Walk(
            problems: found, resolved: currentPath.isEmpty ? "/" : currentPath,
            place: Place(directory: current, name: "."))
    }

    /// A directory on the way: a trusted owner's, not writable by anyone else unless sticky, and one the reader (if
    /// any) may pass through.
    static func judgeDirectory(
        _ path: String, _ directory: Descriptor, _ info: stat, owners: Set<uid_t>, parentWord: String,
        reader: TrustedFile.Reader? = nil
    ) -> [Problem] {
        let acl = reader.flatMap { _ in TrustedFile.Reader.acl(directory: directory) }
        if let reader, !reader.maySearch(info, acl: acl) {
            return [
                Problem(
                    path: path,
                    reason:
                        "\(parentWord) \(path) may not be searched by \(reader.name) (owned by uid \(info.st_uid), "
                        + "mode \(octal(info))\(acl == nil ? "" : ", with an ACL"))",
                    fix: TrustedFile.readerFix(reader))
            ]
        }
        if !owners.contains(info.st_uid) {
            return [
                Problem(
                    path: path,
                    reason: "\(parentWord) \(path) is owned by uid \(info.st_uid), not \(describe(owners))",
                    fix: "chown root: \(path)")
            ]
        }
        if info.st_mode & S_ISVTX == 0, let writable = writableBy(info) {
            return [
                Problem(
                    path: path, reason: "\(parentWord) \(path) is writable by \(writable) (mode \(octal(info)))",
                    fix: "chmod go-w \(path)")
            ]
        }
        return []
    }

    /// "others" or "its group" when either may write, else nil.
    public static func writableBy(_ info: stat) -> String? {
        if info.st_mode & 0o002 != 0 { return "others" }
        if info.st_mode & 0o020 != 0 { return "its group" }
        return nil
    }

    /// The permission bits as four octal digits ("0755").
    public static func octal(_ info: stat) -> String {
        let text = String(info.st_mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    /// "root", "root or uid 1000".
    public static func describe(_ owners: Set<uid_t>) -> String {
        owners.sorted().map { $0 == 0 ? "root" : "uid \($0)" }.joined(separator: " or ")
    }

    /// The target of the link `link` is open on (O_PATH, O_NOFOLLOW): the very link that was judged.
    static func readLink(_ link: Descriptor) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = withExtendedLifetime(link) { readlinkat(link.fd, "", &buffer, buffer.count - 1) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
