import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Collects each data task's response and body as it streams in, cancelling a task as soon as it goes over the
/// size cap (a huge or endless body never sits in memory), then resumes the waiting caller.
///
/// URLSession calls this from its own queue; the table of in-flight tasks is guarded by a lock.
final class FetchDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Completion: Sendable {
        var response: HTTPURLResponse?
        var body: [UInt8]
        var error: (any Error)?
        var tooLarge: Bool
    }

    private final class Pending {
        let maxBytes: Int
        let continuation: CheckedContinuation<Completion, Never>
        var response: HTTPURLResponse?
        var body: [UInt8] = []
        var tooLarge = false

        init(maxBytes: Int, continuation: CheckedContinuation<Completion, Never>) {
            self.maxBytes = maxBytes
            self.continuation = continuation
        }
    }

    private let lock = NSLock()
    private var pending: [Int: Pending] = [:]

    func register(_ task: URLSessionTask, maxBytes: Int, continuation: CheckedContinuation<Completion, Never>) {
        lock.withLock { pending[task.taskIdentifier] = Pending(maxBytes: maxBytes, continuation: continuation) }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        let keep: Bool = lock.withLock {
            guard let entry = pending[dataTask.taskIdentifier] else { return false }
            entry.response = http
            if response.expectedContentLength > Int64(entry.maxBytes) {
                entry.tooLarge = true
                return false
            }
            if response.expectedContentLength > 0 {
                entry.body.reserveCapacity(Int(response.expectedContentLength))
            }
            return true
        }
        completionHandler(keep ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let overLimit: Bool = lock.withLock {
            guard let entry = pending[dataTask.taskIdentifier], !entry.tooLarge else { return false }
            if entry.body.count + data.count > entry.maxBytes {
                entry.tooLarge = true
                entry.body = []
                return true
            }
            entry.body.append(contentsOf: data)
            return false
        }
        if overLimit { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let entry = lock.withLock { pending.removeValue(forKey: task.taskIdentifier) }
        guard let entry else { return }
        entry.continuation.resume(
            returning: Completion(
                response: entry.response ?? task.response as? HTTPURLResponse,
                body: entry.body, error: error, tooLarge: entry.tooLarge))
    }
}
