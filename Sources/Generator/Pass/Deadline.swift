import Foundation

/// Runs work for at most a number of seconds. When the deadline comes first the work is cancelled and left to end
/// on its own (its transport has its own timeouts), and the caller goes on at once: a source that hangs cannot
/// hold the pass, whether or not the request it is stuck in notices cancellation.
enum Deadline {
    /// The work's value, or nil when `seconds` passed first.
    static func run<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async -> T) async -> T? {
        let gate = Gate<T?>()
        let worker = Task { await work() }
        let timer = Task {
            try? await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded())))
            if !Task.isCancelled { gate.finish(nil) }
        }
        Task { gate.finish(await worker.value) }
        let value = await withCheckedContinuation { gate.start($0) }
        timer.cancel()
        worker.cancel()
        return value
    }

    /// Resumes one continuation with the first value given, whether it comes before or after the continuation.
    private final class Gate<Value: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Value, Never>?
        private var result: Value?
        private var finished = false

        func start(_ continuation: CheckedContinuation<Value, Never>) {
            lock.lock()
            if finished, let result {
                lock.unlock()
                continuation.resume(returning: result)
                return
            }
            self.continuation = continuation
            lock.unlock()
        }

        func finish(_ value: Value) {
            lock.lock()
            guard !finished else {
                lock.unlock()
                return
            }
            finished = true
            result = value
            let waiting = continuation
            continuation = nil
            lock.unlock()
            waiting?.resume(returning: value)
        }
    }
}
