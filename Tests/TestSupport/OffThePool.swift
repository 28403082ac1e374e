import Foundation

/// Runs blocking work (waiting for a process, sleeping in a poll loop, comparing megabytes in a debug
/// build) on a thread of its own. Swift Testing runs tests in parallel on the cooperative pool, which has
/// one thread per core: blocking it stalls every other test's async work, in-process servers included.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
