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
    /// them without ACLs (the file's read bit for the user's class, every directory's search bit), since switching
    /// root's identity in a threaded process to let the kernel decide would affect every thread at once.
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

        /// Whether the user may read the file `info` describes (its owner, group and mode).
        public func mayRead(_ info: stat) -> Bool { allows(info, owner: 0o400, group: 0o040, other: 0o004) }

        /// Whether the user may pass through the directory `info` describes.
        public func maySearch(_ info: stat) -> Bool { allows(info, owner: 0o100, group: 0o010, other: 0o001) }

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
