import Synchronization

/// Holds the current snapshot. Readers take the reference under a lock held for a pointer copy;
/// the loader swaps in a complete new snapshot, never edits one in place.
final class SnapshotStore: Sendable {
    private let current: Mutex<Snapshot>

    init(_ snapshot: Snapshot) {
        current = Mutex(snapshot)
    }

    var snapshot: Snapshot { current.withLock { $0 } }

    func replace(with snapshot: Snapshot) {
        current.withLock { $0 = snapshot }
    }
}
