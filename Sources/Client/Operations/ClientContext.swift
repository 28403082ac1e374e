import Foundation
import HostsCore

/// Everything a command needs: resolved paths, the state store, the configuration, and the lock.
struct ClientContext {
    var paths: StatePaths
    var store: StateStore

    init(paths: StatePaths) {
        self.paths = paths
        self.store = StateStore(paths: paths)
    }

    /// Takes the state-dir lock, saying so on stderr if another client holds it; then runs the resolver flush a
    /// killed client owed (``PendingFlush``) before anything else.
    func lock() throws -> StateLock {
        let lock = try StateLock(paths: paths) { Console.err("waiting for another hosts-client to finish…") }
        // The settings say whether the flush is the after-apply hook; without a readable config the mark stays
        // (the command stops on that config anyway, and `doctor --fix` rebuilds it).
        if FileIO.exists(paths.pendingFlushFile), let config = try? store.loadConfig(),
            let (pending, report) = applier(config).completePendingFlush()
        {
            Console.err(
                "\(pending.hostsFile) was written by a hosts-client that stopped before flushing the resolver "
                    + "caches; flushed now: \(report.summary)")
        }
        return lock
    }

    func applier(_ config: ClientConfig) -> Applier { Applier(paths: paths, settings: config.settings) }

    /// Fails before anything changes when the hosts file cannot be written: no permission, read-only, immutable,
    /// unbalanced markers or an encoding that is not ASCII-compatible.
    func checkHostsWritable(_ config: ClientConfig) throws {
        try applier(config).writer.checkWritable()
    }

    static func validateName(_ name: String) throws {
        guard ProfileName.isValid(name) else { throw ClientError.invalidSegmentName(name) }
    }

    func requireSegment(_ name: String, in config: ClientConfig) throws -> SegmentConfig {
        guard let segment = config.segment(named: name) else { throw ClientError.unknownSegment(name) }
        return segment
    }
}
