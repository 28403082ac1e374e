import CFileMetadata

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension TrustedFile {
    /// The user a file is read for when root reads it on their behalf (the user who ran `sudo`): root must not
    /// show them what they could not read themselves.
    ///
    /// Why: a sudoers rule may give a user `hosts-client` alone. Root opens any file, so `sudo hosts-client add x
    /// --local --from /etc/shadow` read root's secrets, and the parse error quoted their first line; a root-only file
    /// that parses would have gone into the world-readable hosts file. A careful tool acting for a user opens only
    /// what that user may open (as `sudoedit` does); here judged by owner, group and mode as the kernel judges
    /// them (the file's read bit for the user's class, every directory's search bit; a POSIX access ACL, when the
    /// file or directory has one, as the kernel reads it), since switching root's identity in a threaded process to
    /// let the kernel decide would affect every thread at once.
    public struct Reader: Sendable, Equatable {
        public var uid: uid_t
        public var gid: gid_t
        /// Every group the user is in, the primary one included.
        public var groups: Set<gid_t>

        public init(uid: uid_t, gid: gid_t, groups: Set<gid_t>) {
            self.uid = uid
            self.gid = gid
            self.groups = groups.union([gid])
        }

        /// `uid` with its primary group and its groups from the group database (getgrouplist), as a login would
        /// give them; only the primary group when the user has no name.
        public static func user(uid: uid_t, gid: gid_t) -> Reader {
            var groups: Set<gid_t> = [gid]
            if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
                var count: Int32 = 64
                var list = [gid_t](repeating: 0, count: Int(count))
                if getgrouplist(name, gid, &list, &count) < 0, count > 0, count <= 65_536 {
                    list = [gid_t](repeating: 0, count: Int(count))
                    _ = getgrouplist(name, gid, &list, &count)
                }
                groups.formUnion(list.prefix(Int(max(0, min(count, Int32(list.count))))))
            }
            return Reader(uid: uid, gid: gid, groups: groups)
        }

        /// Whether the user may read the file `info` describes (its owner, group and mode, and `acl`: its
        /// `system.posix_acl_access` value, nil when it has none).
        public func mayRead(_ info: stat, acl: [UInt8]? = nil) -> Bool {
            if let acl { return allows(info, acl: acl, want: 4) }
            return allows(info, owner: 0o400, group: 0o040, other: 0o004)
        }

        /// Whether the user may pass through the directory `info` describes (and `acl`, as for ``mayRead``).
        public func maySearch(_ info: stat, acl: [UInt8]? = nil) -> Bool {
            if let acl { return allows(info, acl: acl, want: 1) }
            return allows(info, owner: 0o100, group: 0o010, other: 0o001)
        }

        /// The access ACL of the open file `fd`, nil when it has none (or the file system keeps none).
        public static func acl(fd: Int32) -> [UInt8]? {
            acl { buffer, size in pseudodns_fgetxattr(fd, aclName, buffer, size) }
        }

        /// The access ACL of the directory a walk holds open, nil when it has none. fgetxattr does not take an
        /// O_PATH descriptor: the directory is opened through it ("." is that very directory, whatever happened to
        /// its path since). One that cannot be opened so yields an empty ACL, which grants nothing: root, for whom
        /// a reader is judged, opens any directory, and a guess could let the reader through.
        static func acl(directory: TrustedPath.Descriptor) -> [UInt8]? {
            let fd = withExtendedLifetime(directory) {
                openat(directory.fd, ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            }
            guard fd >= 0 else { return [] }
            defer { close(fd) }
            return acl(fd: fd)
        }

        static let aclName = "system.posix_acl_access"

        private static func acl(_ get: (UnsafeMutableRawPointer?, Int) -> Int) -> [UInt8]? {
            // A handful of entries of 8 bytes after a 4-byte header; the kernel allows at most 32 pages' worth.
            var buffer = [UInt8](repeating: 0, count: 4 + 8 * 1024)
            let count = buffer.withUnsafeMutableBytes { get($0.baseAddress, $0.count) }
            guard count > 4 else { return nil }
            return Array(buffer[0..<count])
        }

        /// The kernel's posix_acl_permission: the owner's entry for the owner; else a named user's entry, masked;
        /// else every group entry the user's groups match, one granting (masked) is enough, none granting denies;
        /// else the others' entry. An ACL that does not parse (another version, entries cut) grants nothing.
        private func allows(_ info: stat, acl: [UInt8], want: UInt16) -> Bool {
            if uid == 0 { return true }
            func word(_ at: Int) -> UInt16 { UInt16(acl[at]) | UInt16(acl[at + 1]) << 8 }
            func id(_ at: Int) -> UInt32 {
                UInt32(acl[at]) | UInt32(acl[at + 1]) << 8 | UInt32(acl[at + 2]) << 16 | UInt32(acl[at + 3]) << 24
            }
            guard acl.count >= 4, id(0) == 2, (acl.count - 4) % 8 == 0 else { return false }
            let entries = (0..<(acl.count - 4) / 8).map { index -> (tag: UInt16, perm: UInt16, id: UInt32) in
                let at = 4 + index * 8
                return (word(at), word(at + 2), id(at + 4))
            }
            let mask = entries.first { $0.tag == 0x10 }?.perm ?? 7
            var found = false
            for entry in entries {
                switch entry.tag {
                case 0x01 where info.st_uid == uid: return entry.perm & want == want
                case 0x02 where entry.id == uid: return entry.perm & mask & want == want
                case 0x04 where groups.contains(info.st_gid), 0x08 where groups.contains(gid_t(entry.id)):
                    found = true
                    if entry.perm & want == want { return mask & want == want }
                case 0x20: return !found && entry.perm & want == want
                default: continue
                }
            }
            return false
        }

        /// The kernel's rule without ACLs: the owner's bits for the owner, else the group's for a member, else the
        /// others' (a class that lacks the bit is not rescued by a wider one).
        private func allows(_ info: stat, owner: mode_t, group: mode_t, other: mode_t) -> Bool {
            if uid == 0 { return true }
            if info.st_uid == uid { return info.st_mode & owner != 0 }
            if groups.contains(info.st_gid) { return info.st_mode & group != 0 }
            return info.st_mode & other != 0
        }

        /// "uid 1000 (who ran sudo)".
        public var name: String { "uid \(uid) (who ran sudo)" }
    }
}
