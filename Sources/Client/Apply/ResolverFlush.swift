import Foundation
import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// After a write: runs the configured `after-apply` command, or else flushes the resolver caches that are present
/// so the new names take effect at once. Failures come back as messages for the user; they never undo or fail the
/// write. What ran is remembered (applied.json) so `status` can say it.
struct ResolverFlush {
    /// One flush (or the hook) and how it went.
    struct Step: Codable, Sendable, Equatable {
        var name: String
        var ok: Bool
        /// Why it failed, worded to follow "failed" ("with status 3").
        var detail: String?
    }

    /// What ran and how it went.
    struct Report: Codable, Sendable, Equatable {
        var at: Date = Date()
        var steps: [Step] = []
        /// Caches looked for and not found (not running), so "nothing to flush" is visible too.
        var absent: [String] = []
        /// Why no built-in flush was tried (the file is not /etc/hosts).
        var note: String?

        var ran: [String] { steps.map(\.name) }
        var failures: [String] {
            steps.filter { !$0.ok }.map { "\($0.name) failed" + ($0.detail.map { " \($0)" } ?? "") }
        }

        /// One line for `status`.
        var summary: String {
            var parts = steps.map { "\($0.name) " + ($0.ok ? "ok" : "FAILED" + ($0.detail.map { " \($0)" } ?? "")) }
            if parts.isEmpty { parts.append(note ?? "nothing to flush") }
            if !absent.isEmpty { parts.append("not running: " + absent.joined(separator: ", ")) }
            return parts.joined(separator: "; ")
        }
    }

    var afterApply: String?
    var hostsFile: String
    /// The built-in flush only makes sense for the file the resolver reads.
    var isSystemHostsFile: Bool

    func run() -> Report {
        var report = Report()
        if let command = afterApply, !command.trimmingCharacters(in: .whitespaces).isEmpty {
            report.steps.append(execute(["/bin/sh", "-c", command], label: "after-apply '\(command)'"))
            return report
        }
        guard isSystemHostsFile else {
            report.note = "none: resolvers read \(StatePaths.defaultHostsFile), not \(hostsFile)"
            return report
        }
        #if os(macOS)
            report.steps.append(execute(["/usr/bin/dscacheutil", "-flushcache"], label: "dscacheutil -flushcache"))
            report.steps.append(
                execute(["/usr/bin/killall", "-HUP", "mDNSResponder"], label: "killall -HUP mDNSResponder"))
        #else
            let processes = Self.processes(in: "/proc")
            if FileIO.exists("/run/systemd/resolve/io.systemd.Resolve")
                || processes.contains(where: { $0.name == "systemd-resolve" })
            {
                if let resolvectl = Self.which("resolvectl") {
                    report.steps.append(execute([resolvectl, "flush-caches"], label: "resolvectl flush-caches"))
                } else {
                    report.steps.append(
                        Step(name: "systemd-resolved flush", ok: false, detail: "(resolvectl not found)"))
                }
            } else {
                report.absent.append("systemd-resolved")
            }
            // nscd answers on its socket (glibc's path); without one, `nscd -i` only fails.
            if FileIO.exists("/var/run/nscd/socket") || FileIO.exists("/run/nscd/socket") {
                if let nscd = Self.which("nscd") {
                    report.steps.append(execute([nscd, "-i", "hosts"], label: "nscd -i hosts"))
                } else {
                    report.steps.append(Step(name: "nscd flush", ok: false, detail: "(nscd binary not found)"))
                }
            } else {
                report.absent.append("nscd")
            }
            let dnsmasqs = processes.filter { $0.name == "dnsmasq" }
            let serving = dnsmasqs.filter { Self.servesHostsFile($0.arguments) }
            for process in serving {
                // SIGHUP: dnsmasq clears its cache and reads /etc/hosts again.
                let ok = kill(process.pid, SIGHUP) == 0
                report.steps.append(
                    Step(
                        name: "dnsmasq (pid \(process.pid)) SIGHUP", ok: ok,
                        detail: ok ? nil : "(\(String(cString: strerror(errno))))"))
            }
            if serving.isEmpty { report.absent.append(dnsmasqs.isEmpty ? "dnsmasq" : "dnsmasq serving /etc/hosts") }
        #endif
        return report
    }

    /// Runs a flush command with a bounded wait: a hung cache daemon must not hang the client.
    private func execute(_ arguments: [String], label: String, timeout: TimeInterval = 10) -> Step {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["PSEUDODNS_HOSTS_FILE"] = hostsFile
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            return Step(name: label, ok: false, detail: "to start: \(error.localizedDescription)")
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = finished.wait(timeout: .now() + 2)
            return Step(name: label, ok: false, detail: "to finish within \(Int(timeout))s (stopped)")
        }
        if process.terminationReason != .exit || process.terminationStatus != 0 {
            return Step(name: label, ok: false, detail: "with status \(process.terminationStatus)")
        }
        return Step(name: label, ok: true)
    }

    /// Whether a dnsmasq with these arguments answers from /etc/hosts: not with `--no-hosts` (or `-h`) on its
    /// command line or `no-hosts` in its configuration file. Another user may have started that dnsmasq with a
    /// command line of their choosing, so the configuration file is read only when it is a plain file root owns
    /// and nobody else may write, at most 1 MiB, never through a FIFO or a link (``trustedConfiguration(at:)``);
    /// any other file counts as silent, and a SIGHUP to a dnsmasq is harmless.
    static func servesHostsFile(_ arguments: [String]) -> Bool {
        var configFile = "/etc/dnsmasq.conf"
        var previous = ""
        for argument in arguments.dropFirst() {
            if argument == "--no-hosts" || argument == "-h" { return false }
            if argument.hasPrefix("--conf-file=") { configFile = String(argument.dropFirst("--conf-file=".count)) }
            if argument.hasPrefix("-C"), argument.count > 2 { configFile = String(argument.dropFirst(2)) }
            if previous == "-C" || previous == "--conf-file" { configFile = argument }
            previous = argument
        }
        guard let text = trustedConfiguration(at: configFile) else { return true }
        let lines = String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline)
        return !lines.contains { $0.trimmingCharacters(in: .whitespaces) == "no-hosts" }
    }

    static let configurationLimit = TrustedFile.Policy.dnsmasqConfigurationLimit

    /// A dnsmasq configuration file's bytes, or nil when it is absent or not one root alone controls: read by
    /// HostsCore's ``TrustedFile`` (no FIFO can hold the client, which holds the state lock here; no link, no
    /// directory another user may write; at most ``configurationLimit`` bytes, so `/dev/zero` cannot fill memory).
    static func trustedConfiguration(at path: String, euid: uid_t = geteuid()) -> [UInt8]? {
        try? TrustedFile.readIfPresent(path, .dnsmasqConfiguration(euid: euid))
    }

    struct RunningProcess {
        var pid: Int32
        var name: String
        var arguments: [String]
    }

    /// Processes by their `comm` name (at most 15 characters, so "systemd-resolve"), with their arguments: only
    /// those whose executable is the real program, ``trustedExecutable(_:named:)``. A `comm` is anyone's to choose
    /// (copy /bin/sh to /tmp/x/dnsmasq, or PR_SET_NAME), and what the client does for a process it finds (read its
    /// configuration file, send it SIGHUP) must not be another user's to steer.
    static func processes(in proc: String, euid: uid_t = geteuid()) -> [RunningProcess] {
        let programs = ["dnsmasq": "dnsmasq", "systemd-resolve": "systemd-resolved"]
        var found: [RunningProcess] = []
        for entry in (try? FileIO.list(proc)) ?? [] {
            guard let pid = Int32(entry), let comm = try? FileIO.contentsIfPresent(of: "\(proc)/\(entry)/comm") else {
                continue
            }
            let name = String(decoding: comm, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let program = programs[name],
                trustedExecutable("\(proc)/\(entry)/exe", named: program, euid: euid)
            else { continue }
            let cmdline = (try? FileIO.contentsIfPresent(of: "\(proc)/\(entry)/cmdline")) ?? nil
            let arguments = (cmdline ?? []).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            found.append(RunningProcess(pid: pid, name: name, arguments: arguments))
        }
        return found
    }

    /// Whether `/proc/PID/exe` is the program `name` as the system installed it: that file name, a regular file in
    /// a directory chain that root owns and nobody else may write, itself root's and writable by nobody else.
    /// Another user can neither put a file there nor change one (a hard link of a root binary in /tmp fails on
    /// its directory). Checked as root only: an unprivileged client sees only its own user's processes anyway.
    static func trustedExecutable(_ exeLink: String, named name: String, euid: uid_t = geteuid()) -> Bool {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(exeLink, &buffer, buffer.count - 1)
        guard length > 0 else { return false }
        let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard path.hasPrefix("/"), (path as NSString).lastPathComponent == name else { return false }
        guard euid == 0 else { return true }
        var current = path
        while true {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_uid == 0, info.st_mode & 0o022 == 0 else { return false }
            // The kernel resolved the link: every component is a real directory, the last a file.
            guard info.st_mode & S_IFMT == (current == path ? S_IFREG : S_IFDIR) else { return false }
            if current == "/" { return true }
            current = (current as NSString).deletingLastPathComponent
            if current.isEmpty { current = "/" }
        }
    }

    /// The first `name` on PATH (then /usr/sbin, /sbin) that may be run. As root, only one root alone controls
    /// (``TrustedPath``: every directory and link on the way root's and writable by nobody else, the file too), in an
    /// absolute PATH entry: under sudo PATH may be the user's (`env_keep`, no `secure_path`), and root would run
    /// their `nscd` or `resolvectl`.
    static func which(_ name: String, euid: uid_t = geteuid()) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        // Typed: inferred, `split(...) + [literals]` made each PATH entry an array of characters, never found.
        let directories: [Substring] = path.split(separator: ":") + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            if euid != 0 || directory.hasPrefix("/") && rootAlone(candidate) { return candidate }
        }
        return nil
    }

    /// A regular file root owns, writable by nobody else, behind directories and links only root controls.
    static func rootAlone(_ path: String) -> Bool {
        let walk = TrustedPath.walk(path, owners: [0])
        guard walk.problems.isEmpty, let place = walk.place else { return false }
        var info = stat()
        return place.lstat(&info) == 0 && info.st_mode & S_IFMT == S_IFREG && info.st_uid == 0
            && TrustedPath.writableBy(info) == nil
    }
}
