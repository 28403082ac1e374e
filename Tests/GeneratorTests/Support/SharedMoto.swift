import Foundation
import TestSupport

/// One moto for the whole test process (started on first use). Tests isolate themselves by using their
/// own `Prefix` tag values; the launcher exits by itself when the test process does.
actor SharedMoto {
    static let instance = SharedMoto()
    private var starting: Task<MotoServer, any Error>?

    /// Tests ask concurrently; all of them wait for the one start.
    func endpoint() async throws -> String {
        if let starting { return try await starting.value.endpoint }
        let task = Task { try await MotoServer.start() }
        starting = task
        return try await task.value.endpoint
    }

    /// A prefix no other test uses.
    static func uniquePrefix(_ base: String) -> String {
        "\(base)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
