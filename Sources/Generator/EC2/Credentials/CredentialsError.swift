/// Why credentials could not be found or loaded.
struct CredentialsError: Error, CustomStringConvertible, Sendable {
    var source: String
    var reason: String
    var description: String { "credentials (\(source)): \(reason)" }
    /// "SOURCE: REASON", for wrapping in an outer error.
    var inner: String { "\(source): \(reason)" }
}
