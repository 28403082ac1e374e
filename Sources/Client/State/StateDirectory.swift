import Foundation
import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether root may trust the state directory, as sshd's StrictModes and sudo decide it: the directory, every
/// parent of it and its subdirectories must be root's and writable by nobody else — a sticky parent such as
/// /tmp excepted, when the entry in it is root's. A symbolic link on the way (the directory itself, a parent, or
/// one a link points through) is followed only when root owns it, in a directory already judged safe. Otherwise
/// another user could swap in a config whose `after-apply` root runs, or a symlink that makes root read or create
/// a file of their choosing.
///
/// Checked before every command; only when running as root (an unprivileged user's state steers nothing but
/// their own, failing, writes).
enum StateDirectory {
    struct Problem: Sendable, Equatable {
        /// The directory at fault (the state directory, a parent or a subdirectory).
        var path: String
        var reason: String
        var fix: String
        /// `doctor --fix` may repair it: a root-owned state directory or subdirectory with a loose mode.
        var fixable: Bool
    }

    /// Every problem, first the parents, then the directory, then its subdirectories; empty when it is safe or
    /// does not exist yet and its existing parents are safe.
    static func problems(_ paths: StatePaths, euid: uid_t = geteuid()) -> [Problem] {
        guard euid == 0 else { return [] }
        let directory = paths.stateDirectory
        var (found, place) = walk(directory)
        guard let place else { return found }
        var info = stat()
        guard place.lstat(&info) == 0 else { return found }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            return found + [
                Problem(path: directory, reason: "it is not a directory", fix: "rm \(directory)", fixable: false)
            ]
        }
        if info.st_uid != 0 {
            found.append(
                Problem(
                    path: directory, reason: "it is owned by uid \(info.st_uid), not root",
                    fix: "chown -R root: \(directory) && chmod 700 \(directory), after checking what is in it",
                    fixable: false))
        } else if let writable = writableBy(info) {
            found.append(
                Problem(
                    path: directory, reason: "it is writable by \(writable) (mode \(octal(info)))",
                    fix: "chmod 700 \(directory)", fixable: true))
        }
        for sub in [paths.cacheDirectory, paths.localDirectory, paths.backupDirectory] {
            var subInfo = stat()
            guard lstat(sub, &subInfo) == 0 else { continue }
            let name = "\(directory)/\((sub as NSString).lastPathComponent)"
            if subInfo.st_mode & S_IFMT == S_IFLNK {
                found.append(Problem(path: sub, reason: "\(name) is a symbolic link", fix: "rm \(sub)", fixable: true))
            } else if subInfo.st_mode & S_IFMT != S_IFDIR {
                found.append(Problem(path: sub, reason: "\(name) is not a directory", fix: "rm \(sub)", fixable: true))
            } else if subInfo.st_uid != 0 {
                found.append(
                    Problem(
                        path: sub, reason: "\(name) is owned by uid \(subInfo.st_uid), not root",
                        fix: "mv \(sub) \(sub).bad", fixable: true))
            } else if let writable = writableBy(subInfo) {
                found.append(
                    Problem(
                        path: sub, reason: "\(name) is writable by \(writable) (mode \(octal(subInfo)))",
                        fix: "chmod 700 \(sub)", fixable: true))
            }
        }
        return found
    }

    /// Throws the first problem, naming the directory and the command that fixes it.
    static func verify(_ paths: StatePaths) throws {
        if let problem = problems(paths).first {
            throw ClientError.unsafeStateDirectory(
                path: paths.stateDirectory, reason: problem.reason, fix: problem.fix)
        }
        tighten(paths)
    }

    /// Creates the state directory (0700; missing parents 0755) and checks it again: a directory someone else
    /// made first, between the check and the mkdir, is refused here.
    static func create(_ paths: StatePaths) throws {
        let parent = (paths.stateDirectory as NSString).deletingLastPathComponent
        try FileIO.makeDirectories(parent.isEmpty ? "/" : parent, mode: 0o755)
        if mkdir(paths.stateDirectory, 0o700) != 0 && errno != EEXIST {
            throw FileSystemError(path: paths.stateDirectory, operation: "create directory")
        }
        try verify(paths)
    }

    /// A subdirectory of the (checked) state directory, made 0700 when missing.
    static func makeSubdirectory(_ path: String) throws {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            if errno == ENOENT {
                // The state directory itself is missing (a first `add`): make it, checked, then retry.
                let stateDirectory = (path as NSString).deletingLastPathComponent
                try create(StatePaths(stateDirectory: stateDirectory, hostsFile: ""))
                if mkdir(path, 0o700) == 0 || errno == EEXIST { return }
            }
            throw FileSystemError(path: path, operation: "create directory")
        }
    }

    /// A root-owned state directory others may read (made by an older client, 0755) becomes 0700: the config
    /// and cached copies need not be world-readable.
    private static func tighten(_ paths: StatePaths) {
        guard geteuid() == 0 else { return }
        var info = stat()
        guard lstat(paths.stateDirectory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == 0,
            info.st_mode & 0o077 != 0
        else { return }
        _ = chmod(paths.stateDirectory, 0o700)
    }

    /// Every directory on the way judged and every link followed by HostsCore's ``TrustedPath`` (root the only
    /// trusted owner): the problems and, when none stopped the walk and the path exists, the directory itself in
    /// its judged parent, held open (examined there, not by its path again).
    private static func walk(_ path: String) -> ([Problem], TrustedPath.Place?) {
        let walk = TrustedPath.walk(path, owners: [0])
        let problems = walk.problems.map { Problem(path: $0.path, reason: $0.reason, fix: $0.fix, fixable: false) }
        return (problems, walk.place)
    }

    private static func writableBy(_ info: stat) -> String? { TrustedPath.writableBy(info) }

    static func octal(_ info: stat) -> String { TrustedPath.octal(info) }

    /// "/", "/a", "/a/b", … "/a/b/c" for "/a/b/c".
    static func prefixes(of path: String) -> [String] {
        var result = ["/"]
        var current = ""
        for part in path.split(separator: "/") where !part.isEmpty {
            current += "/" + part
            result.append(current)
        }
        return result
    }
}
