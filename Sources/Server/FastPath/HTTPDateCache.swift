import Foundation
import Synchronization

/// The `Date` header value, formatted at most once a second however many responses share it.
enum HTTPDateCache {
    private static let cache = Mutex<(second: Int64, text: String)>((-1, ""))

    /// The current second since the epoch.
    static var second: Int64 { Int64(time(nil)) }

    static var now: String {
        let second = second
        return cache.withLock { cached in
            if cached.second != second { cached = (second, HTTPDate.format(second)) }
            return cached.text
        }
    }
}
