import Foundation

/// ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `..._TOKEN_FILE`.
struct ContainerCredentialsProvider: Sendable {
    var environment: ProcessEnvironment
    var transport: HTTPTransport

    /// The endpoint to ask, nil when the environment names none.
    var endpoint: URL? { Self.endpoint(in: environment) }

    static func endpoint(in environment: ProcessEnvironment) -> URL? {
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            return URL(string: "http://169.254.170.2" + relative)
        }
        return environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"].flatMap(URL.init(string:))
    }

    func credentials() async throws(CredentialsError) -> AWSCredentials? {
        guard let endpoint else { return nil }
        let source = "container credentials \(endpoint.absoluteString)"
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CredentialsError(source: source, reason: "cannot read token file \(file)")
            }
            headers.append(
                ("Authorization", String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            )
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(("Authorization", token))
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(method: "GET", url: endpoint, headers: headers, timeout: 5)
        } catch {
            throw CredentialsError(source: source, reason: error.reason)
        }
        guard response.status == 200 else {
            throw CredentialsError(source: source, reason: "HTTP \(response.status)")
        }
        return try CredentialsJSON.decode(response.body, source: source)
    }
}
