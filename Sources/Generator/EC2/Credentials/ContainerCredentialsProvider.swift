import Foundation
import HostsCore

/// ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN` or `..._TOKEN_FILE`.
///
/// The token goes in clear over plain http, so a full URI is used as botocore's `ContainerMetadataFetcher` allows
/// it: https to any host; http only to a loopback address, `localhost`, the ECS agent (169.254.170.2) or the EKS
/// pod identity agent (169.254.170.23, fd00:ec2::23).
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

    /// botocore's `_ALLOWED_HOSTS`: the hosts plain http may carry the token to, besides loopback addresses.
    static let plainHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"]

    /// Nil when `url` may be asked; else why not.
    static func refusal(of url: URL) -> String? {
        let scheme = url.scheme?.lowercased() ?? ""
        if scheme == "https" { return nil }
        let usage =
            "plain http only to a loopback address or \(plainHTTPHosts.sorted().joined(separator: ", ")); "
            + "use https for any other host"
        guard scheme == "http" else { return "scheme '\(scheme)' is not supported: \(usage)" }
        var host = (url.host ?? "").lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if plainHTTPHosts.contains(host) { return nil }
        if let address = try? IPAddress(parsing: host),
            Self.loopback.contains(where: { $0.contains(address) })
        {
            return nil
        }
        return "host '\(host)' is not allowed: \(usage)"
    }

    private static let loopback = [try! CIDR(parsing: "127.0.0.0/8"), try! CIDR(parsing: "::1/128")]

    func credentials() async throws(CredentialsError) -> AWSCredentials? {
        guard let endpoint else { return nil }
        let source = "container credentials \(endpoint.absoluteString)"
        if environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] == nil, let refusal = Self.refusal(of: endpoint) {
            throw CredentialsError(
                source: source, reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI: \(refusal) (botocore's rule)")
        }
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
