import Foundation
import HostsCore

/// Where everything lives: the hosts file the client manages and the files of its state directory.
///
/// Segment names are checked (`[a-z0-9][a-z0-9-]*`) before they reach these, so a name never escapes its folder.
struct StatePaths: Sendable {
    static let defaultStateDirectory = "/var/lib/pseudodns"
    static let defaultHostsFile = "/etc/hosts"

    var stateDirectory: String
    var hostsFile: String

    init(stateDirectory: String, hostsFile: String) {
        self.stateDirectory = stateDirectory
        self.hostsFile = hostsFile
    }

    /// Flag, then environment variable, then the default; relative paths are made absolute against the
    /// working directory, so the lock, backups and `after-apply` hooks all see the same file.
    static func resolve(
        stateDirectory: String?, hostsFile: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> StatePaths {
        func pick(_ flag: String?, _ variable: String, _ fallback: String) -> String {
            if let flag, !flag.isEmpty { return absolute(flag) }
            if let value = environment[variable], !value.isEmpty { return absolute(value) }
            return fallback
        }
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        return StatePaths(
            stateDirectory: pick(stateDirectory, "PSEUDODNS_STATE_DIR", defaultStateDirectory),
            hostsFile: pick(hostsFile, "PSEUDODNS_HOSTS_FILE", defaultHostsFile)
        )
    }

    var isSystemHostsFile: Bool { hostsFile == StatePaths.defaultHostsFile }

    var configFile: String { stateDirectory + "/config.json" }
    var lockFile: String { stateDirectory + "/lock" }
    var appliedFile: String { stateDirectory + "/applied.json" }
    var pauseFile: String { stateDirectory + "/paused.json" }
    var pendingFlushFile: String { stateDirectory + "/flush-pending.json" }
    var cacheDirectory: String { stateDirectory + "/cache" }
    var localDirectory: String { stateDirectory + "/local" }
    var backupDirectory: String { stateDirectory + "/backups" }

    /// A segment's copy in cache/ and local/ is named as a published profile is (``PublishedLayout``): the cached
    /// `office` is `cache/office.hosts` as the server's is `office.hosts`.
    func cacheFile(_ name: String) -> String { "\(cacheDirectory)/\(PublishedLayout.profileFile(name))" }
    func metaFile(_ name: String) -> String { "\(cacheDirectory)/\(name).meta.json" }
    func localFile(_ name: String) -> String { "\(localDirectory)/\(PublishedLayout.profileFile(name))" }

    /// The segment a file of cache/ or local/ holds (`office` for `office.hosts`), nil for other files and names
    /// that are no segment's.
    static func segment(ofFile file: String) -> String? {
        if case .profile(let name) = PublishedLayout.kind(of: file) { return name }
        return nil
    }
}
