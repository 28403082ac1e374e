import Foundation
import Testing

/// A temp directory holding a hosts file and a state directory, and a way to run the real `hosts-client` on them.
final class ClientSandbox {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var ok: Bool { status == 0 }
    }

    let root: String
    let hostsFile: String
    let stateDirectory: String

    /// Bytes outside the managed block, with CRLF and another tool's block, that must survive every write.
    static let originalHosts =
        "127.0.0.1\tlocalhost\r\n::1 localhost ip6-localhost\r\n"
        + "# BEGIN OTHER TOOL\r\n10.1.1.1 other-tool\r\n# END OTHER TOOL\r\n"

    init(hosts: String = ClientSandbox.originalHosts) throws {
        let template = FileManager.default.temporaryDirectory.path + "/hosts-client-test-XXXXXX"
        var buffer = Array(template.utf8CString)
        guard mkdtemp(&buffer) != nil else { throw SandboxError("mkdtemp failed") }
        root = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(root, 0o755)
        hostsFile = root + "/etc/hosts"
        stateDirectory = root + "/state"
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try write(hosts, to: hostsFile)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A secret (a bearer token) as an admin keeps it: readable by its owner alone.
    func writeSecret(_ text: String, to path: String) throws {
        try write(text, to: path)
        guard chmod(path, 0o600) == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }

    var hosts: String { (try? String(contentsOfFile: hostsFile, encoding: .utf8)) ?? "" }
    var hostsBytes: [UInt8] { (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: hostsFile)))) ?? [] }

    func file(_ relative: String) -> [UInt8]? {
        try? [UInt8](Data(contentsOf: URL(fileURLWithPath: stateDirectory + "/" + relative)))
    }

    /// Lines of the managed block, markers excluded, with CR stripped.
    var blockLines: [String] {
        // Split bytes, not Characters: in Swift "\r\n" is a single Character.
        let lines = hostsBytes.split(separator: 0x0A, omittingEmptySubsequences: false).map {
            String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self)
        }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("# BEGIN PSEUDODNS") }),
            let end = lines.firstIndex(where: { $0 == "# END PSEUDODNS" })
        else { return [] }
        return Array(lines[(begin + 1)..<end])
    }

    /// The hosts file with the managed block cut out: must always equal what was there before.
    var outsideBlock: String {
        guard let begin = hosts.range(of: "# BEGIN PSEUDODNS"),
            let end = hosts.range(of: "# END PSEUDODNS\r\n") ?? hosts.range(of: "# END PSEUDODNS\n")
        else { return hosts }
        return String(hosts[..<begin.lowerBound]) + String(hosts[end.upperBound...])
    }

    /// A copy of the binary inside the sandbox, so an unprivileged user can run it even when the build
    /// directory is not theirs to read (a clone under /root).
    func copyOfBinary() throws -> String {
        guard let binary = ClientBinary.path else { throw SandboxError("hosts-client binary not found") }
        let copy = root + "/hosts-client"
        try FileManager.default.copyItem(atPath: binary, toPath: copy)
        chmod(copy, 0o755)
        return copy
    }

    var backupCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: stateDirectory + "/backups")) ?? [])
            .filter { $0.hasSuffix(".hosts") }.count
    }

    /// Runs the binary with `--hosts-file` (the sandbox's, or `hostsFile`) and `--state-dir` pointing into the
    /// sandbox.
    @discardableResult
    func run(
        _ arguments: [String], environment: [String: String] = [:], prefix: [String] = [], binary: String? = nil,
        hostsFile: String? = nil
    ) throws -> Run {
        let process = try launch(
            arguments, environment: environment, prefix: prefix, binary: binary, hostsFile: hostsFile)
        process.process.waitUntilExit()
        return process.finish()
    }

    struct Launched {
        var process: Process
        var stdoutPath: String
        var stderrPath: String

        func finish() -> Run {
            let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: stdoutPath)
            try? FileManager.default.removeItem(atPath: stderrPath)
            return Run(status: process.terminationStatus, stdout: out, stderr: err)
        }
    }

    /// Runs the binary as under sudo would see the machine's own paths: in a private mount namespace
    /// (`unshare -m`) where the sandbox's hosts file is bind-mounted over /etc/hosts and its state directory over
    /// /var/lib/pseudodns (on a tmpfs over /var/lib), with no `--hosts-file` or `--state-dir` added. Under sudo
    /// those options are refused, so this is how a test runs a command as a sudo user without touching the
    /// machine's own files.
    @discardableResult
    func runAtDefaultPaths(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        chmod(stateDirectory, 0o700)
        let script = """
            set -e
            mount --bind "$SANDBOX_HOSTS" /etc/hosts
            mount -t tmpfs -o mode=0755 sandbox /var/lib
            mkdir -m 700 /var/lib/pseudodns
            mount --bind "$SANDBOX_STATE" /var/lib/pseudodns
            exec "$@"
            """
        var env = environment
        env["SANDBOX_HOSTS"] = hostsFile
        env["SANDBOX_STATE"] = stateDirectory
        let process = try launch(
            arguments, environment: env,
            prefix: ["/usr/bin/timeout", "-s", "KILL", "120", "/usr/bin/unshare", "-m", "/bin/sh", "-c", script, "sh"],
            pathOptions: false)
        process.process.waitUntilExit()
        return process.finish()
    }

    /// The tests' environment for a client run, less sudo's variables: tests run by `sudo make test` must not
    /// run the client as under sudo (which refuses --hosts-file and --state-dir); a test that means sudo passes
    /// them itself.
    static func inheritedEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for variable in ["SUDO_UID", "SUDO_GID", "SUDO_USER", "SUDO_COMMAND"] { env.removeValue(forKey: variable) }
        return env
    }

    private var runCounter = 0

    /// Starts the binary without waiting (for watch and the crash test). `pathOptions`: add `--hosts-file` and
    /// `--state-dir` (see ``runAtDefaultPaths(_:environment:)`` for a run without them).
    func launch(
        _ arguments: [String], environment: [String: String] = [:], prefix: [String] = [], binary: String? = nil,
        hostsFile: String? = nil, pathOptions: Bool = true
    ) throws -> Launched {
        guard let binary = binary ?? ClientBinary.path else {
            throw SandboxError("hosts-client binary not found: run `swift build` first (or set HOSTS_CLIENT_BIN)")
        }
        runCounter += 1
        let stdoutPath = "\(root)/run-\(runCounter).out"
        let stderrPath = "\(root)/run-\(runCounter).err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        let full =
            [binary] + arguments
            + (pathOptions ? ["--hosts-file", hostsFile ?? self.hostsFile, "--state-dir", stateDirectory] : [])
        if prefix.isEmpty {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = Array(full.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: prefix[0])
            process.arguments = Array(prefix.dropFirst()) + full
        }
        var env = Self.inheritedEnvironment()
        env.removeValue(forKey: "PSEUDODNS_STATE_DIR")
        env.removeValue(forKey: "PSEUDODNS_HOSTS_FILE")
        // The tests' servers are on loopback: a proxy of the machine running them must not be in the way.
        for proxy in [
            "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
        ] {
            env.removeValue(forKey: proxy)
        }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        return Launched(process: process, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    /// Fails the test with the output when a run did not exit 0.
    @discardableResult
    func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let result = try run(arguments)
        #expect(
            result.ok, "hosts-client \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)",
            sourceLocation: sourceLocation)
        return result
    }
}

struct SandboxError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
