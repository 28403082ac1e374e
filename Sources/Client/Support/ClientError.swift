/// Errors a user can act on; each prints as one line after "hosts-client: ".
enum ClientError: Error, CustomStringConvertible {
    case invalidSegmentName(String)
    case unknownSegment(String)
    case segmentExists(String)
    case notLocal(String)
    case invalidState(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case firstFetchFailed(name: String, reason: String)
    case invalidLocalContent(String)
    case editRejected(reason: String, keptAt: String)
    case editorFailed(command: String, status: Int32)
    case hostsFileKeptChanging(path: String)
    case notAFile(path: String)
    case unknownBackup(String)
    case noBackups
    case staleSegments([String: String])
    case invalidArguments(String)
    case unbalancedMarkers(path: String, reason: String)

    var description: String {
        switch self {
        case .invalidSegmentName(let name):
            "invalid segment name '\(name)': use lowercase letters, digits and '-', starting with a letter or digit"
        case .unknownSegment(let name):
            "no segment named '\(name)' (see: hosts-client list)"
        case .segmentExists(let name):
            "a segment named '\(name)' already exists"
        case .notLocal(let name):
            "segment '\(name)' is remote; only local segments can be edited"
        case .invalidState(let path, let reason):
            "\(path) is not valid: \(reason)"
        case .writeFailed(let path, let reason):
            "cannot write \(path): \(reason)"
        case .firstFetchFailed(let name, let reason):
            "segment '\(name)' not added: \(reason)"
        case .invalidLocalContent(let reason):
            reason
        case .editRejected(let reason, let keptAt):
            "edit rejected, segment unchanged: \(reason) (your text is kept in \(keptAt))"
        case .editorFailed(let command, let status):
            "editor '\(command)' exited with status \(status); segment unchanged"
        case .hostsFileKeptChanging(let path):
            "\(path) kept changing while hosts-client tried to write it; nothing written, try again"
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
        }
    }
}
