/// Why credentials could not be found or loaded.
struct CredentialsError: Error, CustomStringConvertible, Sendable {
    var source: String
    var reason: String
    var description: String { "credentials (\(source)): \(reason)" }
}
