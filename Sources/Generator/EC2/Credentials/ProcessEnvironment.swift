import Foundation

/// The environment variables the AWS chain reads, passed around explicitly so tests can give their own.
struct ProcessEnvironment: Sendable, Equatable {
    var values: [String: String]

    init(_ values: [String: String]) { self.values = values }

    static var current: ProcessEnvironment { ProcessEnvironment(ProcessInfo.processInfo.environment) }

    /// The value of `name`, nil when unset or empty (AWS tools treat an empty variable as unset).
    subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// The home directory, for `~/.aws/...`.
    var home: String { self["HOME"] ?? NSHomeDirectory() }

    /// Expands a leading `~/`.
    func expandingTilde(_ path: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst() : path
    }
}
