import Foundation

/// `restore` stops automatic writes until `resume` (`STATE_DIR/paused.json`): a restored hosts file stays as the
/// user put it, however often the timer syncs.
struct PauseState: Codable, Sendable, Equatable {
    var since: Date
    /// The backup that was restored.
    var backup: String
    var hostsFile: String

    enum CodingKeys: String, CodingKey {
        case since, backup
        case hostsFile = "hosts_file"
    }

    /// One line for `status`, `sync` and `apply`.
    var text: String {
        "paused since \(since.formatted(.iso8601)) (backup \(backup) restored); "
            + "nothing is written until: hosts-client resume"
    }
}

extension StateStore {
    /// nil when not paused. A damaged file counts as paused (an error naming it): writes stay stopped.
    func loadPause() throws -> PauseState? {
        guard let bytes = try StateFiles.contentsIfPresent(of: paths.pauseFile) else { return nil }
        do {
            return try Self.decoder.decode(PauseState.self, from: Data(bytes))
        } catch {
            throw ClientError.invalidState(path: paths.pauseFile, reason: Self.describe(error))
        }
    }

    func savePause(_ pause: PauseState) throws {
        var data = try Self.encoder.encode(pause)
        data.append(0x0A)
        try writeFile([UInt8](data), to: paths.pauseFile)
    }

    func removePause() throws { try FileIO.remove(paths.pauseFile) }
}
