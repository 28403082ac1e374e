import Foundation

/// EC2 instance metadata, IMDSv2 only: PUT a session token, list the role, fetch its credentials.
/// Disabled by `AWS_EC2_METADATA_DISABLED=true`; endpoint from `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// (default `http://169.254.169.254`). A missing metadata service is "no credentials", not an error.
struct IMDSCredentialsProvider: Sendable {
    var environment: ProcessEnvironment
    var transport: HTTPTransport
    var timeout: TimeInterval = 1

    var isDisabled: Bool { Self.isDisabled(in: environment) }

    /// `AWS_EC2_METADATA_DISABLED=true` (any case), as botocore reads it; the planner asks before any request.
    static func isDisabled(in environment: ProcessEnvironment) -> Bool {
        environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
    }

    var base: String {
        var endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        return endpoint
    }

    func credentials() async throws(CredentialsError) -> AWSCredentials? {
        if isDisabled { return nil }
        let source = "instance metadata \(base)"
        guard let tokenURL = URL(string: base + "/latest/api/token"),
            let roleURL = URL(string: base + "/latest/meta-data/iam/security-credentials/")
        else { throw CredentialsError(source: source, reason: "bad endpoint") }
        let token: String
        do {
            let response = try await transport.send(
                method: "PUT", url: tokenURL, headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")],
                timeout: timeout)
            guard response.status == 200 else { return nil }
            token = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            return nil  // not on EC2 (or IMDS unreachable): the chain ends without credentials
        }
        let auth = [("X-aws-ec2-metadata-token", token)]
        let role =
            try await get(roleURL, headers: auth, source: source)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        if role.isEmpty {
            throw CredentialsError(source: source, reason: "no IAM role attached to this instance")
        }
        guard let credentialsURL = URL(string: roleURL.absoluteString + role) else {
            throw CredentialsError(source: source, reason: "bad role name '\(role)'")
        }
        let document = try await get(credentialsURL, headers: auth, source: source)
        return try CredentialsJSON.decode(Data(document.utf8), source: "\(source) role \(role)")
    }

    private func get(_ url: URL, headers: [(String, String)], source: String) async throws(CredentialsError)
        -> String
    {
        do {
            let response = try await transport.send(method: "GET", url: url, headers: headers, timeout: timeout * 3)
            guard response.status == 200 else {
                throw CredentialsError(source: source, reason: "HTTP \(response.status) for \(url.path)")
            }
            return String(decoding: response.body, as: UTF8.self)
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(source: source, reason: "\(error)")
        }
    }
}
