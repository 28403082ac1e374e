import Logging
import ServiceLifecycle

/// Polls the published directory (and the token file) every `interval` and swaps in a new snapshot when
/// something changed. Polling a directory listing once a second is cheap and works on every filesystem,
/// including bind mounts and network shares where inotify misses changes.
struct DirectoryWatcher: Service {
    let store: SnapshotStore
    let loader: SnapshotLoader
    let tokens: TokenStore?
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var loader = loader
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                Self.poll(&loader, store: store, logger: logger)
                if let tokens, tokens.reloadIfChanged() {
                    logger.info("token file reloaded", metadata: ["file": "\(tokens.path)"])
                } else if let issue = tokens?.issue {
                    logger.debug(
                        "token file unusable", metadata: ["file": "\(tokens?.path ?? "")", "reason": "\(issue.reason)"])
                }
            }
        }
    }

    /// One reload step; also used for the initial load.
    static func poll(_ loader: inout SnapshotLoader, store: SnapshotStore, logger: Logger) {
        let current = store.snapshot
        guard let next = loader.reload(from: current) else { return }
        store.replace(with: next)
        for issue in next.issues where !current.issues.contains(issue) {
            logger.error(
                "refused", metadata: ["file": "\(issue.file)", "line": "\(issue.line)", "reason": "\(issue.reason)"])
        }
        logger.info(
            "snapshot loaded",
            metadata: [
                "generation": "\(next.generation)", "profiles": "\(next.profiles.keys.sorted().joined(separator: ","))",
                "errors": "\(next.issues.count)",
            ])
    }
}
