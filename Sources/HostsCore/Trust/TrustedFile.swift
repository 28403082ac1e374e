#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one way PseudoDNS reads a file that root reads because a path told it to (a bearer token, a CA bundle, a
/// configuration file another program names, the client's own state files), so that nobody else can make root
/// hang, fill its memory or read a file of their choosing:
///
/// - the path's directories (``Policy/checkDirectories``) are judged by ``TrustedPath``: trusted owners only, no
///   directory others may write (sticky ones excepted), links followed only when a trusted owner owns them;
/// - a path whose directories do not all exist is a file that does not exist (never opened as written: a directory
///   created after the walk could be a link to anywhere); one whose directories do is opened relative to the
///   descriptor of the directory the walk judged (``TrustedPath/Place``), never by its path again;
/// - anything but a regular file is refused by lstat before it is opened (opening a terminal would make it root's
///   controlling terminal, opening some devices acts on them);
/// - the file is opened with O_NOFOLLOW (never through a link planted after the check), O_NONBLOCK (a FIFO cannot
///   hold the reader), O_NOCTTY and O_CLOEXEC, and judged again by fstat on that descriptor (the same file the lstat
///   saw): a regular file, a trusted owner's, writable by nobody else, readable by nobody else if it is a secret
///   (``Policy/secret``), one name only if asked, at most ``Policy/maxBytes``;
/// - it is read to at most ``Policy/maxBytes`` + 1 bytes, so a file that grows after the fstat is still refused
///   without being read whole;
/// - fstat must say the same after the read (inode, size, modification time): bytes of a file rewritten in place
///   while being read are never returned (``TrustedFileError/changing``: reading again may succeed).
public enum TrustedFile {
    /// What a caller accepts.
    public struct Policy: Sendable, Equatable {
        /// What the file is, in messages ("token file").
        public var label: String
        /// The largest accepted file; its size in words is in the refusal.
        public var maxBytes: Int
        /// Owners accepted for the file, its directories and the links on the way; nil: any owner, and no mode or
        /// directory check (an unprivileged client's own state).
        public var owners: Set<uid_t>?
        /// Judge every directory on the way (``TrustedPath``). Off where the directories were judged already (the
        /// state directory): then no link is followed at all.
        public var checkDirectories: Bool
        /// Follow a link as the last component, when a trusted owner owns it in a judged directory (a CA bundle in
        /// /etc/ssl/certs is one); otherwise a link there is refused. With `owners` nil (no owner trusted more than
        /// another), every link on the way is resolved (`realpath`) and the file it leads to is judged: a Kubernetes
        /// Secret volume presents `token -> ..data/token`.
        public var followLinks: Bool
        /// Refuse a file with more than one hard link (another name, elsewhere, could be someone else's way in).
        public var singleLink: Bool
        /// A secret (a bearer token): refused when its group or others may read it.
        public var secret: Bool
        /// Where such a file belongs, offered after the fix of an ownership or directory problem ("or keep it in
        /// /etc/pseudodns, root's and 0600"): chown-ing a home directory to root is seldom what is meant.
        public var advice: String?
        /// The user root reads the file for (``Reader``): refused unless that user may read it and pass through
        /// every directory on the way. nil: the file is read for root itself.
        public var reader: Reader?

        public init(
            label: String, maxBytes: Int, owners: Set<uid_t>?, checkDirectories: Bool = true, followLinks: Bool = false,
            singleLink: Bool = false, secret: Bool = false, advice: String? = nil, reader: Reader? = nil
        ) {
            self.reader = reader
            self.secret = secret
            self.followLinks = followLinks
            self.label = label
            self.maxBytes = maxBytes
            self.owners = owners
            self.checkDirectories = checkDirectories
            self.singleLink = singleLink
            self.advice = advice
        }

        func fix(_ fix: String) -> String { advice.map { "\(fix), or \($0)" } ?? fix }
    }

    /// The whole file, or a ``TrustedFileError`` naming it and what is wrong.
    public static func read(_ path: String, _ policy: Policy) throws(TrustedFileError) -> [UInt8] {
        guard let bytes = try readIfPresent(path, policy) else {
            throw TrustedFileError(path: path, label: policy.label, errno: ENOENT)
        }
        return bytes
    }

    /// The whole file, or nil when it does not exist.
    public static func readIfPresent(_ path: String, _ policy: Policy) throws(TrustedFileError) -> [UInt8]? {
        try contentsIfPresent(path, policy)?.bytes
    }

    /// What a read returns: the bytes, and what fstat said of the open file (the same before and after reading).
    public struct Contents {
        public var bytes: [UInt8]
        public var info: stat
    }

    /// The whole file and its fstat, or nil when it does not exist (the server stamps what it loaded with it).
    public static func contentsIfPresent(_ path: String, _ policy: Policy) throws(TrustedFileError) -> Contents? {
        var place = TrustedPath.Place.unjudged(path)
        if policy.owners == nil, policy.followLinks {
            guard let resolved = realpath(path, nil) else {
                let code = errno
                if code == ENOENT || code == ENOTDIR { return nil }
                throw TrustedFileError(path: path, label: policy.label, errno: code)
            }
            place = .unjudged(String(cString: resolved))
            free(resolved)
        } else if policy.checkDirectories, let owners = policy.owners {
            let walk = TrustedPath.walk(
                absolute(path), owners: owners, parentWord: "its directory", followLast: policy.followLinks,
                reader: policy.reader)
            if let problem = walk.problems.first {
                throw TrustedFileError(
                    path: path, label: policy.label, refusal: problem.reason, fix: policy.fix(problem.fix))
            }
            // Unresolved: a directory on the way is missing. Opening the path as written would follow whatever
            // link someone puts there after the walk. Resolved: the file is opened in the directory the walk
            // judged, through its descriptor, never by the path again.
            guard let judged = walk.place else { return nil }
            place = judged
        }
        // Judged before it is opened: a terminal opened by a session leader (a service) would become its
        // controlling terminal, and opening some devices acts on them.
        var seen = stat()
        if place.lstat(&seen) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw TrustedFileError(path: path, label: policy.label, errno: code)
        }
        if seen.st_mode & S_IFMT != S_IFREG, let (reason, fix) = problem(with: seen, path: path, policy) {
            throw TrustedFileError(path: path, label: policy.label, refusal: reason, fix: fix)
        }
        let fd = place.open(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP {
                // lstat saw a regular file: it was replaced by a link since.
                throw TrustedFileError(
                    path: path, label: policy.label, refusal: "it is a symbolic link, which is not followed here",
                    fix: "give the real path of the file", changing: true)
            }
            throw TrustedFileError(path: path, label: policy.label, errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TrustedFileError(path: path, label: policy.label, errno: errno) }
        if let (reason, fix) = problem(with: info, path: path, policy) {
            throw TrustedFileError(path: path, label: policy.label, refusal: reason, fix: fix)
        }
        // Judged on the open file, whose ACL (if any) only the descriptor reaches without a race.
        if let reader = policy.reader {
            let acl = Reader.acl(fd: fd)
            if !reader.mayRead(info, acl: acl) {
                throw TrustedFileError(
                    path: path, label: policy.label,
                    refusal: "\(reader.name) may not read it (owned by uid \(info.st_uid), mode "
                        + "\(TrustedPath.octal(info))\(acl == nil ? "" : ", with an ACL"))",
                    fix: readerFix(reader))
            }
        }
        guard info.st_dev == seen.st_dev, info.st_ino == seen.st_ino else {
            throw TrustedFileError(
                path: path, label: policy.label, refusal: "it was replaced while being opened",
                fix: "check who else writes \(path), then try again", changing: true)
        }
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.readAll(fd: fd, path: path, limit: policy.maxBytes)
        } catch {
            throw TrustedFileError(path: path, label: policy.label, errno: error.code)
        }
        guard bytes.count <= policy.maxBytes else {
            throw TrustedFileError(path: path, label: policy.label, refusal: tooLarge(policy), fix: sizeFix(path))
        }
        var after = stat()
        guard fstat(fd, &after) == 0, sameVersion(info, after) else {
            throw TrustedFileError(
                path: path, label: policy.label, refusal: "it changed while being read",
                fix: "check who else writes \(path), then try again", changing: true)
        }
        return Contents(bytes: bytes, info: info)
    }

    /// Same inode, size and modification time: no rename into place, truncation or rewrite in between.
    static func sameVersion(_ one: stat, _ other: stat) -> Bool {
        #if canImport(Darwin)
            let (oneTime, otherTime) = (one.st_mtimespec, other.st_mtimespec)
        #else
            let (oneTime, otherTime) = (one.st_mtim, other.st_mtim)
        #endif
        return one.st_dev == other.st_dev && one.st_ino == other.st_ino && one.st_size == other.st_size
            && oneTime.tv_sec == otherTime.tv_sec && oneTime.tv_nsec == otherTime.tv_nsec
    }

    /// Why a file described by `info` (fstat of the open file, or lstat for a listing) is not to be trusted under
    /// `policy`, with the fix; nil when it is fine.
    public static func problem(with info: stat, path: String, _ policy: Policy) -> (reason: String, fix: String)? {
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            let what = typeName(type)
            let fix =
                type == S_IFLNK ? "give the real path of the file" : "point it at a regular file"
            return (
                type == S_IFLNK ? "it is \(what), which is not followed here" : "it is \(what), not a regular file", fix
            )
        }
        if let owners = policy.owners {
            if !owners.contains(info.st_uid) {
                return (
                    "it is owned by uid \(info.st_uid), not \(TrustedPath.describe(owners))",
                    policy.fix("chown root: \(path), after checking what is in it")
                )
            }
            if let writable = TrustedPath.writableBy(info) {
                return (
                    "it is writable by \(writable) (mode \(TrustedPath.octal(info)))", "chmod go-w \(path)"
                )
            }
        }
        if policy.secret, info.st_mode & 0o044 != 0 {
            return (
                "it holds a secret and others may read it (mode \(TrustedPath.octal(info)))", "chmod go-rwx \(path)"
            )
        }
        if policy.singleLink && info.st_nlink > 1 {
            return (
                "it has \(info.st_nlink) hard links (another name could change it)",
                "give it a name of its own: cp \(path) \(path).new && mv \(path).new \(path)"
            )
        }
        if info.st_size > policy.maxBytes { return (tooLarge(policy), sizeFix(path)) }
        return nil
    }

    /// A relative path made absolute against the working directory: the walk starts at "/".
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
    }

    static func tooLarge(_ policy: Policy) -> String {
        "it is larger than \(ByteCount.describe(policy.maxBytes)), the most a \(policy.label) may hold"
    }

    static func sizeFix(_ path: String) -> String { "check that \(path) is the right file" }

    static func readerFix(_ reader: Reader) -> String {
        "give a file uid \(reader.uid) may read: under sudo, root reads it only as the user who ran sudo could"
    }

    static func typeName(_ type: mode_t) -> String {
        switch type {
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a directory"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}

/// Why a file was not read: refused (``refused``: it is not one the caller may trust — the fix says what to change)
/// or not readable (missing, no permission: ``code``).
public struct TrustedFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file as the caller named it.
    public var path: String
    /// What it is ("token file").
    public var label: String
    public var reason: String
    /// The command or change that makes the file acceptable (refusals only).
    public var fix: String?
    /// The errno when the file could not be opened or read; nil for a refusal.
    public var code: Int32?
    /// The file changed while it was being opened or read (replaced, rewritten in place): reading it again may
    /// succeed (a refusal, as the bytes were not those of one version of the file).
    public var changing = false

    public var refused: Bool { code == nil }

    init(path: String, label: String, refusal reason: String, fix: String, changing: Bool = false) {
        self.path = path
        self.label = label
        self.reason = reason
        self.fix = fix
        self.changing = changing
    }

    init(path: String, label: String, errno code: Int32) {
        self.path = path
        self.label = label
        self.reason = String(cString: strerror(code)).lowercased()
        self.code = code
    }

    public var description: String {
        if refused { return "refusing \(label) \(path): \(reason)" + (fix.map { " — \($0)" } ?? "") }
        return "cannot read \(label) \(path): \(reason)"
    }
}
