import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A listening socket on 127.0.0.1 that hands each connection to `handler` on a thread of its own and closes
/// it afterwards; the accept loop shared by the test servers (scripted server, rewriting proxy).
final class LoopbackListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var stopped = false

    init(handler: @escaping @Sendable (Int32) -> Void) throws {
        (fd, port) = try LoopbackSocket.listen()
        Thread { [self] in acceptLoop(handler) }.start()
    }

    /// Stops accepting; connections in flight finish on their own threads.
    func stop() {
        let wasStopped = lock.withLock {
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func acceptLoop(_ handler: @escaping @Sendable (Int32) -> Void) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR, !lock.withLock({ stopped }) { continue }
                return
            }
            if lock.withLock({ stopped }) {
                close(client)
                return
            }
            Thread {
                handler(client)
                close(client)
            }.start()
        }
    }
}
