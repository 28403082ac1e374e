import Foundation

/// After a write: runs the configured `after-apply` command, or else flushes the OS resolver caches so the new
/// names take effect at once. Failures come back as messages for the user; they never undo or fail the write.
struct ResolverFlush {
    /// What ran and how it went, one line each.
    struct Report: Sendable, Equatable {
        var ran: [String] = []
        var failures: [String] = []
    }

    var afterApply: String?
    var hostsFile: String
    /// The built-in flush only makes sense for the file the resolver reads.
    var isSystemHostsFile: Bool

    func run() -> Report {
        var report = Report()
        if let command = afterApply, !command.trimmingCharacters(in: .whitespaces).isEmpty {
            execute(["/bin/sh", "-c", command], label: "after-apply '\(command)'", into: &report)
            return report
        }
        guard isSystemHostsFile else { return report }
        #if os(macOS)
            execute(["/usr/bin/dscacheutil", "-flushcache"], label: "dscacheutil -flushcache", into: &report)
            execute(["/usr/bin/killall", "-HUP", "mDNSResponder"], label: "killall -HUP mDNSResponder", into: &report)
        #else
            if let resolvectl = Self.which("resolvectl") {
                execute([resolvectl, "flush-caches"], label: "resolvectl flush-caches", into: &report)
            }
            if let nscd = Self.which("nscd") {
                execute([nscd, "-i", "hosts"], label: "nscd -i hosts", into: &report)
            }
        #endif
        return report
    }

    private func execute(_ arguments: [String], label: String, into report: inout Report) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["PSEUDODNS_HOSTS_FILE"] = hostsFile
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            report.ran.append(label)
            if process.terminationReason != .exit || process.terminationStatus != 0 {
                report.failures.append("\(label) failed with status \(process.terminationStatus)")
            }
        } catch {
            report.failures.append("\(label) could not run: \(error.localizedDescription)")
        }
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") + ["/usr/sbin", "/sbin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
