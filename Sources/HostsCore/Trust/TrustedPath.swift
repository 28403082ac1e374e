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
/// Judged by lstat, component by component: a path that passes cannot be changed under the caller by anyone but its
/// trusted owners, so opening it afterwards is no check-then-use race against another user.
public enum TrustedPath {
    /// One reason not to trust a path, and the command that fixes it.
    public struct Problem: Sendable, Equatable {
        /// The directory or link at fault.
        public var path: String
        public var reason: String
        public var fix: String
    }

    /// Where a walk ended.
    public struct Walk: Sendable, Equatable {
        /// Every problem met, the directories nearest the root first.
        public var problems: [Problem]
        /// The path with every link resolved (its last component not judged: the caller does that), or nil when a
        /// component does not exist (or cannot be examined) or a refused link stopped the walk.
        public var resolved: String?
    }

    /// Linux gives up after 40 links; so does this.
    static let maxLinks = 40

    /// Resolves `path` (absolute) one component at a time, as the kernel does, judging each directory on the way
    /// and every link met. `parentWord` names a directory in reasons ("its parent", "its directory"). Without
    /// `followLast`, a link as the last component is where the walk ends (the caller opens it with O_NOFOLLOW).
    /// `reader`: the user root walks for (``TrustedFile/Reader``); a directory they may not pass through is a problem.
    public static func walk(
        _ path: String, owners: Set<uid_t>, parentWord: String = "its parent", followLast: Bool = true,
        reader: TrustedFile.Reader? = nil
    ) -> Walk {
        var found: [Problem] = []
        var info = stat()
        guard lstat("/", &info) == 0 else { return Walk(problems: [], resolved: nil) }
        found += judgeDirectory("/", info, owners: owners, parentWord: parentWord, reader: reader)
        var current = ""  // the resolved directory so far; "" is "/"
        var pending = path.split(separator: "/").map(String.init)
        var links = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part.isEmpty || part == "." { continue }
            if part == ".." {
                current = parent(of: current)
                if current == "/" { current = "" }
                continue
            }
            let candidate = current + "/" + part
            guard lstat(candidate, &info) == 0 else { return Walk(problems: found, resolved: nil) }
            if info.st_mode & S_IFMT == S_IFLNK {
                if pending.isEmpty && !followLast { return Walk(problems: found, resolved: candidate) }
                links += 1
                guard links <= maxLinks else {
                    let problem = Problem(
                        path: candidate, reason: "too many symbolic links at \(candidate)",
                        fix: "give the real path, without links")
                    return Walk(problems: found + [problem], resolved: nil)
                }
                guard owners.contains(info.st_uid) else {
                    let problem = Problem(
                        path: candidate,
                        reason:
                            "the symbolic link \(candidate) is owned by uid \(info.st_uid), not \(describe(owners))",
                        fix: "rm \(candidate), after checking where it points")
                    return Walk(problems: found + [problem], resolved: nil)
                }
                guard let target = readLink(candidate) else { return Walk(problems: found, resolved: nil) }
                if target.hasPrefix("/") { current = "" }
                pending = target.split(separator: "/").map(String.init) + pending
                continue
            }
            if pending.isEmpty { return Walk(problems: found, resolved: candidate) }
            found += judgeDirectory(candidate, info, owners: owners, parentWord: parentWord, reader: reader)
            current = candidate
        }
        return Walk(problems: found, resolved: current.isEmpty ? "/" : current)
    }

    /// A directory on the way: a trusted owner's, not writable by anyone else unless sticky, and one the reader (if
    /// any) may pass through.
    static func judgeDirectory(
        _ path: String, _ info: stat, owners: Set<uid_t>, parentWord: String, reader: TrustedFile.Reader? = nil
    ) -> [Problem] {
        let acl = reader.flatMap { _ in TrustedFile.Reader.acl(path: path) }
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

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
