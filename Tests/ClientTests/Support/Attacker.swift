import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An unprivileged local user (`nobody`, through setpriv) acting against root's client.
enum Attacker {
    static let uid: uid_t = 65534
    static let prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    /// Root is needed to drop to nobody, and to be the victim.
    static let available: Bool =
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: prefix[0])
        && shell("true") == 0

    /// Runs `script` with /bin/sh as nobody; returns its exit status.
    @discardableResult
    static func shell(_ script: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prefix[0])
        process.arguments = Array(prefix.dropFirst()) + ["/bin/sh", "-c", script]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A directory the attacker owns (outside the state dir), for the files it prepares.
    static func home(in sandbox: ClientSandbox) throws -> String {
        let path = sandbox.root + "/attacker"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chown(path, uid, uid)
        chmod(path, 0o755)
        return path
    }
}

/// Polls `condition` every 20 ms for at most `seconds`; true once it held.
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
