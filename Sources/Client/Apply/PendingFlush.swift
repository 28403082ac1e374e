import Foundation
import HostsCore

/// `STATE_DIR/flush-pending.json`: written (durably) just before the hosts file is replaced, removed once the
/// resolver flush (or the after-apply hook) after it has run. A client killed in between leaves it, and the next
/// one to take the state lock runs the flush first, so a crash never leaves the resolvers answering from the old
/// file until some later write happens to flush them.
struct PendingFlush: Codable, Sendable, Equatable {
    var since: Date
    /// The file that was being written: the flush is the one for it (built-in only for /etc/hosts).
    var hostsFile: String

    enum CodingKeys: String, CodingKey {
        case since
        case hostsFile = "hosts_file"
    }
}

extension StateStore {
    /// nil when no flush is owed. A damaged mark still owes one (for the hosts file of these paths).
    func loadPendingFlush() -> PendingFlush? {
        guard let bytes = try? StateFiles.contentsIfPresent(of: paths.pendingFlushFile) else {
            return FileIO.exists(paths.pendingFlushFile) ? PendingFlush(since: Date(), hostsFile: paths.hostsFile) : nil
        }
        return (try? Self.decoder.decode(PendingFlush.self, from: Data(bytes)))
            ?? PendingFlush(since: Date(), hostsFile: paths.hostsFile)
    }

    func markFlushPending() throws {
        var data = try Self.encoder.encode(PendingFlush(since: Date(), hostsFile: paths.hostsFile))
        data.append(0x0A)
        try writeFile([UInt8](data), to: paths.pendingFlushFile)
    }

    func clearPendingFlush() throws { try FileIO.remove(paths.pendingFlushFile) }
}
