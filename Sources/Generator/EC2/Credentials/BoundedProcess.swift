import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program (no shell) with stdin closed, a deadline and capped output, on a thread of its own: a
/// `credential_process` that hangs, floods its output or ignores signals still ends the wait in bounded time.
struct BoundedProcess: Sendable {
    var arguments: [String]
    var environment: [String: String]
    var deadline: TimeInterval = 30
    var stdoutLimit = 64 * 1024
    var stderrLimit = 4 * 1024

    struct Outcome: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: Data
    }

    enum Failure: Error, CustomStringConvertible, Sendable {
        case launch(String)
        case timedOut(TimeInterval)
        case tooMuchOutput(Int)

        var description: String {
            switch self {
            case .launch(let reason): return "cannot run it: \(reason)"
            case .timedOut(let seconds): return "it did not finish within \(Int(seconds)) s (killed)"
            case .tooMuchOutput(let limit): return "it wrote more than \(limit) bytes (killed)"
            }
        }
    }

    func run() async throws(Failure) -> Outcome {
        let result: Result<Outcome, Failure> = await withCheckedContinuation { continuation in
            let job = self
            Thread { continuation.resume(returning: job.runBlocking()) }.start()
        }
        return try result.get()
    }

    private func runBlocking() -> Result<Outcome, Failure> {
        guard !arguments.isEmpty else { return .failure(.launch("empty command")) }
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { return .failure(.launch("pipe: errno \(errno)")) }
        defer { for fd in [outPipe[0], errPipe[0]] { close(fd) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in [outPipe[0], outPipe[1], errPipe[0], errPipe[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        // A process group of its own: on a deadline the whole group is killed, children it left behind included.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        // posix_spawnp looks a bare program name up on PATH, as botocore's subprocess does.
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else { return .failure(.launch(String(cString: strerror(spawned)))) }

        let end = Date().addingTimeInterval(deadline)
        var stdout = Data()
        var stderr = Data()
        var streams: [(Int32, Bool)] = [(outPipe[0], true), (errPipe[0], false)]
        var failure: Failure?
        var status: Int32 = 0
        var exited = false
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while failure == nil && !(exited && streams.isEmpty) {
            let left = end.timeIntervalSinceNow
            if left <= 0 {
                failure = .timedOut(deadline)
                break
            }
            if !exited {
                var raw: Int32 = 0
                if waitpid(pid, &raw, WNOHANG) == pid {
                    exited = true
                    status = Self.exitStatus(raw)
                }
            }
            if streams.isEmpty {
                usleep(10_000)
                continue
            }
            var fds = streams.map { pollfd(fd: $0.0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 0.05) * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            for (index, entry) in fds.enumerated().reversed() where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count <= 0 {
                    streams.remove(at: index)
                    continue
                }
                if streams[index].1 {
                    stdout.append(contentsOf: buffer[0..<count])
                    if stdout.count > stdoutLimit { failure = .tooMuchOutput(stdoutLimit) }
                } else if stderr.count < stderrLimit {
                    stderr.append(contentsOf: buffer[0..<min(count, stderrLimit - stderr.count)])
                }
            }
        }
        if let failure {
            kill(-pid, SIGKILL)
            if !exited {
                var raw: Int32 = 0
                _ = waitpid(pid, &raw, 0)
            }
            return .failure(failure)
        }
        // Output closed and the program exited: anything it left running in its group goes too.
        kill(-pid, SIGKILL)
        return .success(Outcome(status: status, stdout: stdout, stderr: stderr))
    }

    /// The exit status, or 128 + the signal number for a program killed by a signal (as shells report it).
    private static func exitStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
}
