/// A problem in the profile definition file: names the file, the line (when known) and the key.
struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    var path: String
    var line: Int?
    /// Where in the document, e.g. `profiles[1].address`.
    var key: String
    var reason: String

    var description: String {
        let place = line.map { "\(path):\($0)" } ?? path
        return key.isEmpty ? "\(place): \(reason)" : "\(place): \(key): \(reason)"
    }
}
