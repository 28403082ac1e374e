import HostsCore

/// Errors a user can act on; each prints as one line after "hosts-client: ".
enum ClientError: Error, CustomStringConvertible {
    case invalidSegmentName(String)
    case unknownSegment(String)
    case segmentExists(String)
    case notLocal(String)
    case invalidState(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// `refused`: a file the segment names (token, CA) was refused for safety.
    case firstFetchFailed(name: String, reason: String, refused: Bool = false)
    case invalidLocalContent(String)
    case editRejected(reason: String, keptAt: String)
    case editorFailed(command: String, status: Int32)
    case hostsFileKeptChanging(path: String)
    /// The hosts file (`writing`: the content it would get) is over the cap; `size` nil when it grew past it while
    /// being read.
    case hostsFileTooLarge(path: String, size: Int?, limit: Int, writing: Bool)
    case notAFile(path: String)
    case unknownBackup(String)
    case noBackups
    case staleSegments([String: String])
    case invalidArguments(String)
    case unbalancedMarkers(path: String, reason: String)
    /// The state directory (or a parent) is not root's alone: another user could steer what root writes.
    case unsafeStateDirectory(path: String, reason: String, fix: String)
    /// A file under the state directory that must not be trusted (a symlink, another user's, not a plain file).
    case unsafeStateFile(path: String, reason: String)
    /// A file hosts-client was told to read (token, CA bundle, key file) that it must not trust, or cannot read.
    case file(TrustedFileError)
    /// A token or CA file given to `add` or `trust` that is missing, unreadable or empty.
    case credential(String)
    /// `restore` of a backup taken of another hosts file (or of one an older client did not label).
    case backupOfOtherFile(id: String, source: String?, target: String)
    /// `apply` while `restore` has paused writes.
    case paused(PauseState)

    var description: String {
        switch self {
        case .invalidSegmentName(let name):
            "invalid segment name '\(VisibleText.excerpt(name))': use lowercase letters, digits and '-', starting "
                + "with a letter or digit"
        case .unknownSegment(let name):
            "no segment named '\(name)' (see: hosts-client list)"
        case .segmentExists(let name):
            "a segment named '\(name)' already exists"
        case .notLocal(let name):
            "segment '\(name)' is remote; only local segments can be edited"
        case .invalidState(let path, let reason):
            "\(path) is not valid: \(reason) — run: hosts-client doctor (doctor --fix moves it aside)"
        case .writeFailed(let path, let reason):
            "cannot write \(path): \(reason)"
        case .firstFetchFailed(let name, let reason, _):
            "segment '\(name)' not added: \(reason)"
        case .invalidLocalContent(let reason):
            reason
        case .editRejected(let reason, let keptAt):
            "edit rejected, segment unchanged: \(reason) (your text is kept in \(keptAt))"
        case .editorFailed(let command, let status):
            "editor '\(command)' exited with status \(status); segment unchanged"
        case .hostsFileKeptChanging(let path):
            "\(path) kept changing while hosts-client tried to write it; nothing written, try again"
        case .hostsFileTooLarge(let path, let size, let limit, let writing):
            writing
                ? "refusing to write \(path): the new content would be \(ByteCount.describe(size ?? 0)), over "
                    + "\(ByteCount.describe(limit)), the most hosts-client writes to a hosts file; nothing written — "
                    + "disable or remove the largest segment (hosts-client status shows their entries)"
                : "refusing hosts file \(path): it is "
                    + (size.map { "\(ByteCount.describe($0)), " } ?? "growing and now ")
                    + "larger than \(ByteCount.describe(limit)), the most hosts-client reads as a hosts file; "
                    + "nothing written — check that \(path) is the hosts file meant (--hosts-file)"
        case .notAFile(let path):
            "\(path) is not a regular file"
        case .unknownBackup(let id):
            "no backup '\(id)' (see: hosts-client backups)"
        case .noBackups:
            "no backups yet"
        case .staleSegments(let failures):
            "stale: "
                + failures.keys.sorted().map { "\($0) (\(failures[$0]!))" }.joined(separator: ", ")
                + " — cached copies kept, the rest was applied"
        case .invalidArguments(let text):
            text
        case .unbalancedMarkers(let path, let reason):
            "\(path): \(reason)"
        case .unsafeStateDirectory(let path, let reason, let fix):
            "refusing state directory \(path): \(reason) — run: \(fix) (or use another --state-dir)"
        case .unsafeStateFile(let path, let reason):
            "refusing \(path): \(reason) — remove it or run: hosts-client doctor --fix"
        case .backupOfOtherFile(let id, let source, let target):
            (source.map { "backup \(id) was taken of \($0), not \(target)" }
                ?? "backup \(id) does not say which hosts file it was taken of (an older hosts-client made it)")
                + "; to restore it onto \(target) anyway: hosts-client restore \(id) --onto-other-file"
        case .paused(let pause):
            "\(pause.hostsFile) not written: \(pause.text)"
        case .file(let error):
            error.description
        case .credential(let text):
            text
        }
    }

    /// Distinct exit codes (sysexits.h) for the failures a script may want to tell apart; 1 for the rest.
    var exitCode: Int32 {
        switch self {
        case .invalidState: 65  // EX_DATAERR: a state file is damaged; doctor repairs it
        case .unsafeStateDirectory, .unsafeStateFile: 78  // EX_CONFIG: refused for safety
        case .hostsFileTooLarge: 78  // an oversized file where a file belongs
        case .file(let error) where error.refused: 78
        case .credential: 78
        case .firstFetchFailed(_, _, refused: true): 78
        case .paused: 75  // EX_TEMPFAIL: writes resume with `hosts-client resume`
        default: 1
        }
    }
}
