import Foundation
import HostsCore
import Hummingbird
import HummingbirdTesting
import Logging

@testable import Server

/// A temporary published directory, removed when the test is done, and a way to run hosts-server on it.
struct PublishedFixture: Sendable {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("hosts-server-test-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `name` the way the generator does: a temporary file renamed into place.
    func publish(_ name: String, _ text: String) throws {
        let temporary = "\(path)/.\(name).\(UUID().uuidString).tmp"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, "\(path)/\(name)") == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "\(path)/\(name)"])
        }
    }

    func options() -> ServerOptions {
        var options = ServerOptions(directory: path)
        options.port = 0
        options.pollInterval = .milliseconds(100)
        options.accessLog = false
        return options
    }

    /// Runs the real server on a loopback socket (HummingbirdTesting `.live`) for the duration of `test`,
    /// which gets the client and the bound port (for ``RawHTTPClient``).
    func withServer<Value: Sendable>(
        _ options: ServerOptions? = nil,
        _ test: @Sendable (any TestClientProtocol, Int) async throws -> Value
    ) async throws -> Value {
        var logger = Logger(label: "hosts-server-test")
        logger.logLevel = .warning
        let app = try buildApplication(options: options ?? self.options(), logger: logger)
        return try await app.test(.live) { client in
            try await test(client, client.port!)
        }
    }
}

/// Waits until `condition` holds, checking every 50 ms for at most `seconds`; for changes the server
/// picks up on its next poll. Returns whether it held (the test asserts that, not a duration).
func eventually(seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Lowercase hex SHA-256, as in the ETags.
func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256Hex.of(bytes)
}
