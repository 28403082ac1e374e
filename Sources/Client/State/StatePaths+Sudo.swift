import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Under sudo, the client manages the machine's hosts file and state directory and no other.
///
/// A sudoers rule may give a user `hosts-client` alone; with any `--hosts-file` root would read, back up and rewrite
/// a file of the user's choosing (a PseudoDNS block in a root-only file, its content saved as a backup), and
/// `restore --onto-other-file` would copy one file's backup onto another (a root secret into a world-readable
/// file, or any root-readable file into /etc/hosts). Refused outright, not judged by whether that user may read and
/// write the file: the state directory must be root's alone (``StateDirectory``), so no directory that user may
/// write could pass anyway, and a file judged writable now could be another by the time root writes it. An admin
/// who means another file runs hosts-client as root outside sudo. The same holds for what would make root run a
/// command the user chose (`config after-apply`, `edit`'s editor). "Under sudo" is what ``TrustedFile/Policy``'s
/// `invokingUser` says: root with a `SUDO_UID` other than 0.
extension StatePaths {
    /// Throws when run under sudo with a hosts file or state directory other than the defaults; `hostsFlag` and
    /// `stateFlag` are the options as given, to name the option (or the environment variable) that chose the path.
    func checkUnderSudo(
        hostsFlag: String?, stateFlag: String?,
        invokingUser: TrustedFile.Reader? = TrustedFile.Policy.invokingUser()
    ) throws {
        guard let user = invokingUser else { return }
        if hostsFile != Self.defaultHostsFile {
            let source = hostsFlag?.isEmpty == false ? "--hosts-file" : "PSEUDODNS_HOSTS_FILE"
            throw ClientError.refusedUnderSudo(
                what: "\(source) \(VisibleText.excerpt(hostsFile))", uid: user.uid,
                scope: "which writes \(Self.defaultHostsFile) only")
        }
        if stateDirectory != Self.defaultStateDirectory {
            let source = stateFlag?.isEmpty == false ? "--state-dir" : "PSEUDODNS_STATE_DIR"
            throw ClientError.refusedUnderSudo(
                what: "\(source) \(VisibleText.excerpt(stateDirectory))", uid: user.uid,
                scope: "which keeps its state in \(Self.defaultStateDirectory) only")
        }
    }

    /// What is refused under sudo whatever the paths: each would let the user who ran sudo make root copy a file of
    /// their choosing or run a command of theirs.
    enum SudoRefusal {
        /// `restore --onto-other-file`: under sudo a backup goes back only onto the file it was taken of.
        case restoreOntoOtherFile
        /// `config after-apply` (set or unset): root runs that command with `/bin/sh -c` after every write, from
        /// then on, so whoever sets it runs anything as root. It stays the admin's, set as root outside sudo.
        case afterApply
        /// `edit`: the editor ($VISUAL, $EDITOR or vi) would run as root, and an editor runs commands (vi's `:!sh`),
        /// so a sudoers rule that gives a user hosts-client alone would give them a root shell.
        case edit

        var what: String {
            switch self {
            case .restoreOntoOtherFile: "--onto-other-file"
            case .afterApply: "config after-apply"
            case .edit: "edit"
            }
        }

        var scope: String {
            switch self {
            case .restoreOntoOtherFile: "which restores a backup only onto the file it was taken of"
            case .afterApply: "which leaves the command root runs after every write to root"
            case .edit: "whose editor would run as root (an editor runs commands)"
            }
        }
    }

    /// Throws `refusal` when run under sudo.
    static func refuseUnderSudo(
        _ refusal: SudoRefusal, invokingUser: TrustedFile.Reader? = TrustedFile.Policy.invokingUser()
    ) throws {
        guard let user = invokingUser else { return }
        throw ClientError.refusedUnderSudo(what: refusal.what, uid: user.uid, scope: refusal.scope)
    }
}
