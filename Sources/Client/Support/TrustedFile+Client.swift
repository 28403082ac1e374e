import Foundation
import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What hosts-client accepts of each file it reads by path (HostsCore ``TrustedFile`` does the reading).
///
/// Files named in config.json and read again at every `sync` and `watch` round (`--token-file`, `--ca-file`) must
/// be root's, writable only by root, in directories only root can write, when the client runs as root: that is the
/// scheduled service, long after the `sudo` that named them, so no other user (the one who ran `sudo` included)
/// may keep a way to change what root reads and sends. Files read once by the command that names them
/// (`add --local --from`, `--public-key-file`) may also be the invoking user's under sudo (`SUDO_UID`): their content
/// is copied into the state directory there and then; and they must be files that user may read (``invokingUser``). An unprivileged client trusts root and itself. A token or
/// CA file must have one name: in a sticky directory such as /tmp, another user could have made the name a hard
/// link to a root secret before root put a file there.
extension TrustedFile.Policy {
    static let tokenFileLimit = 64 << 10
    static let caBundleLimit = 1 << 20
    static let publicKeyFileLimit = 64 << 10
    static let dnsmasqConfigurationLimit = 1 << 20

    /// Root alone as root; root and this user otherwise. `invokingUser`: also the user `sudo` was run by.
    static func owners(
        euid: uid_t = geteuid(), invokingUser: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Set<uid_t> {
        guard euid == 0 else { return [0, euid] }
        if invokingUser, let text = environment["SUDO_UID"], let uid = uid_t(text) { return [0, uid] }
        return [0]
    }

    static var tokenFile: Self {
        Self(
            label: "token file", maxBytes: tokenFileLimit, owners: owners(), followLinks: true, singleLink: true,
            secret: true,
            advice: "keep it where only root can write, root's and 0600 (install -m 600 FILE /etc/pseudodns/token)")
    }

    static var caBundle: Self {
        Self(
            label: "CA file", maxBytes: caBundleLimit, owners: owners(), followLinks: true, singleLink: true,
            advice: "keep it where only root can write (install -m 644 FILE /etc/pseudodns/ca.pem)")
    }

    static var publicKeyFile: Self {
        Self(
            label: "public key file", maxBytes: publicKeyFileLimit, owners: owners(invokingUser: true),
            followLinks: true, reader: invokingUser())
    }

    /// `add --local --from FILE`: as large as a remote segment may be.
    static func segmentSource(maxBytes: Int) -> Self {
        Self(
            label: "segment file", maxBytes: maxBytes, owners: owners(invokingUser: true), followLinks: true,
            reader: invokingUser())
    }

    /// Under sudo, the user who ran it: files read for them (`--from`, `--public-key-file`) must be ones they may
    /// read themselves (``TrustedFile/Reader``), else root would hand them (in an error, or in the world-readable
    /// hosts file) what they could not see. nil as root without sudo, and when not root (the kernel judges then).
    static func invokingUser(
        euid: uid_t = geteuid(), environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> TrustedFile.Reader? {
        guard euid == 0, let text = environment["SUDO_UID"], let uid = uid_t(text), uid != 0 else { return nil }
        let gid = environment["SUDO_GID"].flatMap { gid_t($0) } ?? getpwuid(uid).map { $0.pointee.pw_gid } ?? gid_t(uid)
        return TrustedFile.Reader.user(uid: uid, gid: gid)
    }

    /// A file under the (already judged) state directory: never through a link, root's alone when running as
    /// root, one name only. No size cap: only root writes there.
    static func stateFile(euid: uid_t = geteuid()) -> Self {
        Self(
            label: "state file", maxBytes: .max, owners: euid == 0 ? [0] : nil, checkDirectories: false,
            singleLink: euid == 0)
    }

    /// A configuration file a running dnsmasq names on its command line (which another user may have chosen).
    static func dnsmasqConfiguration(euid: uid_t = geteuid()) -> Self {
        Self(
            label: "dnsmasq configuration", maxBytes: dnsmasqConfigurationLimit, owners: euid == 0 ? [0] : nil)
    }
}
