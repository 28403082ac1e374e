import Foundation
import Logging

/// `--every` reads the config again before each pass. A config that no longer loads keeps the last good one in
/// use (the generator goes on publishing what it did) and the reason is logged every pass until it is fixed.
final class ConfigReloader: @unchecked Sendable {
    private let path: String
    private let logger: Logger
    private let lock = NSLock()
    private var current: GeneratorConfig

    init(path: String, current: GeneratorConfig, logger: Logger) {
        self.path = path
        self.current = current
        self.logger = logger
    }

    /// The config as it is on disk now, or the last one that loaded.
    func reload() -> GeneratorConfig {
        lock.lock()
        defer { lock.unlock() }
        do {
            current = try ConfigLoader.load(path: path)
        } catch {
            logger.error("config not reloaded; keeping the last good one", metadata: ["error": "\(error)"])
        }
        return current
    }
}
