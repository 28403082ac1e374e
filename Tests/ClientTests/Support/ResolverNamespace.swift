import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Asks the system resolver (glibc's files backend, as every program on the machine would) about a sandbox hosts
/// file: a private mount namespace (`unshare -m`) bind-mounts it over /etc/hosts, so the machine's own
/// /etc/hosts is never touched or seen.
enum ResolverNamespace {
    static let available: Bool =
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        && WriteSafetyTests.shell(["/usr/bin/unshare", "-m", "/bin/true"]) == 0

    static let hasNscd = available && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nscd")

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `script` (sh) in a new mount namespace where `hostsFile` is bind-mounted over /etc/hosts; `$CLIENT`
    /// is the built hosts-client. Bounded by `timeout` seconds (then killed).
    static func run(
        _ script: String, hostsFile: String, in directory: String, environment: [String: String] = [:],
        timeout: Int = 300
    ) throws -> Output {
        let scriptPath = directory + "/namespace-\(UUID().uuidString).sh"
        let full = "set -e\nmount --bind \"$HOSTS\" /etc/hosts\n" + script
        try Data(full.utf8).write(to: URL(fileURLWithPath: scriptPath))
        let stdoutPath = scriptPath + ".out"
        let stderrPath = scriptPath + ".err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        defer {
            for path in [scriptPath, stdoutPath, stderrPath] { try? FileManager.default.removeItem(atPath: path) }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-s", "KILL", "\(timeout)", "/usr/bin/unshare", "-m", "/bin/sh", scriptPath]
        var env = ClientSandbox.inheritedEnvironment()
        env["HOSTS"] = hostsFile
        env["CLIENT"] = ClientBinary.path ?? "hosts-client-not-built"
        env["PYTHON"] = "/usr/bin/python3"
        env["RESOLVE"] = try resolveScript(in: directory)
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }

    /// One address lookup through the real resolver.
    struct Answer: Decodable, Equatable {
        /// gethostbyname_ex's addresses (IPv4 only), or nil when it failed.
        var ghbn: [String]?
        /// getaddrinfo's addresses in the order it returns them, or nil when it failed.
        var gai: [String]?
        var ghbnError: String?
        var gaiError: String?

        enum CodingKeys: String, CodingKey {
            case ghbn, gai
            case ghbnError = "ghbn_error"
            case gaiError = "gai_error"
        }
    }

    /// Looks every name in `names` up with gethostbyname_ex and getaddrinfo, in one python process (each lookup
    /// reads the whole file, so these are a sample of a large file; ``enumerateIPv4(hostsFile:in:)`` reads all of it).
    static func lookUp(_ names: [String], hostsFile: String, in directory: String) throws -> [String: Answer] {
        let list = directory + "/names-\(UUID().uuidString).txt"
        try Data(names.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: list))
        defer { try? FileManager.default.removeItem(atPath: list) }
        let output = try run(
            "exec \"$PYTHON\" \"$RESOLVE\" \"$NAMES\"", hostsFile: hostsFile, in: directory,
            environment: ["NAMES": list])
        guard output.status == 0 else { throw SandboxError("resolver script failed: \(output.stderr)") }
        return try JSONDecoder().decode([String: Answer].self, from: Data(output.stdout.utf8))
    }

    /// Every IPv4 entry glibc reads from the file (`getent hosts`, one pass; glibc enumerates IPv4 lines only), as
    /// the first address each name gets in file order: the answer a lookup gives (the first matching line wins).
    static func enumerateIPv4(hostsFile: String, in directory: String) throws -> [String: String] {
        let output = try run("exec getent hosts", hostsFile: hostsFile, in: directory)
        guard output.status == 0 else { throw SandboxError("getent hosts failed: \(output.stderr)") }
        var first: [String: String] = [:]
        for line in output.stdout.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let address = fields.first else { continue }
            for name in fields.dropFirst() where first[name] == nil { first[name] = address }
        }
        return first
    }

    private static func resolveScript(in directory: String) throws -> String {
        let path = directory + "/resolve.py"
        if !FileManager.default.fileExists(atPath: path) {
            try Data(
                """
                import json, socket, sys
                out = {}
                for name in open(sys.argv[1]).read().split():
                    answer = {}
                    try:
                        answer["ghbn"] = socket.gethostbyname_ex(name)[2]
                    except OSError as error:
                        answer["ghbn_error"] = str(error)
                    try:
                        seen = []
                        for info in socket.getaddrinfo(name, None, socket.AF_UNSPEC, socket.SOCK_STREAM):
                            if info[4][0] not in seen:
                                seen.append(info[4][0])
                        answer["gai"] = seen
                    except OSError as error:
                        answer["gai_error"] = str(error)
                    out[name] = answer
                json.dump(out, sys.stdout)

                """.utf8
            ).write(to: URL(fileURLWithPath: path))
        }
        return path
    }
}
