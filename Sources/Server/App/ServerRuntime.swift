import Dispatch
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Process-level setup for serving fast: Swift Concurrency runs on NIO's event loops (no thread hop
/// between the socket and the handler on every request), with one loop per CPU this process may use.
enum ServerRuntime {
    /// CPUs in this process's affinity mask (what `taskset` or a systemd `CPUAffinity=` allows), at least 1.
    static var usableCPUs: Int {
        // Glibc's module does not export sched_getaffinity; the kernel shows the same mask here.
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") })
        {
            let count = line.dropFirst("Cpus_allowed:".count).reduce(0) { count, character in
                count + (character.hexDigitValue?.nonzeroBitCount ?? 0)
            }
            if count > 0 { return min(count, max(1, System.coreCount)) }
        }
        return max(1, System.coreCount)
    }

    /// Sizes the NIO singleton group and installs it as Swift Concurrency's global executor. Must be
    /// called once, from the main thread, before anything touches the singleton group or concurrency.
    static func takeOver(threads: Int) {
        NIOSingletons.groupLoopCountSuggestion = threads
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Runs `body` to completion, blocking the (main) thread that calls it.
    static func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws {
        let outcome = Outcome()
        Task {
            do {
                try await body()
                outcome.finish(nil)
            } catch {
                outcome.finish(error)
            }
        }
        outcome.done.wait()
        if let error = outcome.error.withLock({ $0 }) { throw error }
    }

    private final class Outcome: Sendable {
        let done = DispatchSemaphore(value: 0)
        let error = Mutex<(any Error)?>(nil)

        func finish(_ error: (any Error)?) {
            self.error.withLock { $0 = error }
            done.signal()
        }
    }
}
