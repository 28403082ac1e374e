import Crypto
import Foundation

/// SSO (IAM Identity Center) credentials the way botocore gets them: the access token `aws sso login` cached in
/// `~/.aws/sso/cache/<sha1 of the sso-session name, or of the start URL for legacy profiles>.json`, exchanged
/// for role credentials by the portal's GetRoleCredentials. The generator never logs in (it runs unattended): an
/// expired or missing token is an error that says to run `aws sso login`.
struct SSOCredentialsProvider: Sendable {
    var settings: SSOSettings
    var environment: ProcessEnvironment
    var transport: HTTPTransport
    var variant: EndpointVariant
    var timeout: TimeInterval = 10

    /// The token cache file for these settings.
    var tokenFile: String {
        let key = settings.session ?? settings.startURL
        let digest = Insecure.SHA1.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
        return environment.expandingTilde("~/.aws/sso/cache/\(digest).json")
    }

    private struct TokenDocument: Decodable {
        var accessToken: String
        var expiresAt: String
    }

    private struct RoleCredentialsDocument: Decodable {
        struct Role: Decodable {
            var accessKeyId: String
            var secretAccessKey: String
            var sessionToken: String
            /// Milliseconds since 1970.
            var expiration: Double
        }
        var roleCredentials: Role
    }

    func credentials(now: Date = Date()) async throws(CredentialsError) -> AWSCredentials {
        let source = "sso profile \(settings.profile)"
        let login =
            settings.session.map { "aws sso login --sso-session \($0)" }
            ?? "aws sso login --profile \(settings.profile)"
        guard let data = FileManager.default.contents(atPath: tokenFile), data.count <= 64 * 1024 else {
            throw CredentialsError(source: source, reason: "no cached SSO token at \(tokenFile): run \(login)")
        }
        guard let token = try? JSONDecoder().decode(TokenDocument.self, from: data) else {
            throw CredentialsError(source: source, reason: "\(tokenFile) is not an SSO token cache file: run \(login)")
        }
        guard let expires = Self.parseTokenExpiry(token.expiresAt) else {
            throw CredentialsError(source: source, reason: "\(tokenFile): expiresAt '\(token.expiresAt)' is not a time")
        }
        guard expires > now else {
            throw CredentialsError(source: source, reason: "the SSO token expired at \(token.expiresAt): run \(login)")
        }
        let base: URL
        do {
            base = try ServiceEndpoint.url(
                service: "portal.sso", envName: "SSO", region: settings.region, variant: variant,
                environment: environment)
        } catch {
            throw CredentialsError(source: source, reason: "\(error)")
        }
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)
        let basePath = components?.path ?? ""
        components?.path = basePath.trimmingSuffix("/") + "/federation/credentials"
        components?.queryItems = [
            URLQueryItem(name: "account_id", value: settings.accountID),
            URLQueryItem(name: "role_name", value: settings.roleName),
        ]
        guard let url = components?.url else { throw CredentialsError(source: source, reason: "bad portal URL") }
        let response: HTTPResponse
        do {
            response = try await transport.send(
                method: "GET", url: url,
                headers: [("x-amz-sso_bearer_token", token.accessToken), ("Accept", "application/json")],
                timeout: timeout)
        } catch {
            throw CredentialsError(source: source, reason: "GetRoleCredentials: connection failed: \(error.reason)")
        }
        guard response.status == 200 else {
            let hint = response.status == 401 || response.status == 403 ? ": run \(login)" : ""
            throw CredentialsError(
                source: source,
                reason: "GetRoleCredentials \(url.host ?? ""): HTTP \(response.status) "
                    + "\(EC2QueryClient.snippet(response.body))\(hint)")
        }
        guard response.body.count <= 64 * 1024,
            let role = try? JSONDecoder().decode(RoleCredentialsDocument.self, from: response.body).roleCredentials,
            !role.accessKeyId.isEmpty, !role.secretAccessKey.isEmpty
        else {
            throw CredentialsError(source: source, reason: "GetRoleCredentials: the response holds no roleCredentials")
        }
        return AWSCredentials(
            accessKeyID: role.accessKeyId, secretAccessKey: role.secretAccessKey, sessionToken: role.sessionToken,
            expiration: Date(timeIntervalSince1970: role.expiration / 1000), source: source,
            accountID: settings.accountID)
    }

    /// `2026-12-01T14:00:00Z`, with fractions, or the older CLI's `2026-12-01T14:00:00UTC`.
    static func parseTokenExpiry(_ text: String) -> Date? {
        let normalized = text.hasSuffix("UTC") ? String(text.dropLast(3)) + "Z" : text
        return CredentialsJSON.parseDate(normalized)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var out = self
        while out.hasSuffix(suffix) { out.removeLast(suffix.count) }
        return out
    }
}
