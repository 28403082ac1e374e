import Foundation

/// What STS returned for AssumeRole / AssumeRoleWithWebIdentity.
struct AssumedRole: Sendable, Equatable {
    var credentials: AWSCredentials
    /// `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`
    var assumedRoleARN: String
}

/// STS through the Query API, with the generator's one HTTP transport and SigV4 signer: AssumeRole and
/// GetCallerIdentity signed, AssumeRoleWithWebIdentity unsigned (the token is the proof). Every error names the
/// call and the reason STS gave (`AccessDenied: …`).
struct STSClient: Sendable {
    static let apiVersion = "2011-06-15"

    var endpoint: URL
    /// The signing region (the region the endpoint serves).
    var region: String
    var transport: HTTPTransport
    var timeout: TimeInterval = 10

    func assumeRole(_ role: AssumeRoleSettings, with keys: AWSCredentials, now: Date) async throws(CredentialsError)
        -> AssumedRole
    {
        var parameters = [
            ("Action", "AssumeRole"), ("Version", Self.apiVersion), ("RoleArn", role.roleARN),
            ("RoleSessionName", role.sessionName ?? Self.defaultSessionName(now)),
        ]
        if let external = role.externalID { parameters.append(("ExternalId", external)) }
        if let duration = role.durationSeconds { parameters.append(("DurationSeconds", String(duration))) }
        let leaves = try await call(parameters, signedWith: keys, action: "AssumeRole", now: now)
        return try Self.assumed(leaves, result: "AssumeRoleResponse/AssumeRoleResult", action: "AssumeRole")
    }

    func assumeRoleWithWebIdentity(_ role: AssumeRoleSettings, token: String, now: Date) async throws(CredentialsError)
        -> AssumedRole
    {
        var parameters = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", Self.apiVersion), ("RoleArn", role.roleARN),
            ("RoleSessionName", role.sessionName ?? Self.defaultSessionName(now)), ("WebIdentityToken", token),
        ]
        if let duration = role.durationSeconds { parameters.append(("DurationSeconds", String(duration))) }
        let leaves = try await call(parameters, signedWith: nil, action: "AssumeRoleWithWebIdentity", now: now)
        return try Self.assumed(
            leaves, result: "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult",
            action: "AssumeRoleWithWebIdentity")
    }

    /// The account the keys belong to.
    func callerAccount(with keys: AWSCredentials, now: Date) async throws(CredentialsError) -> String {
        let leaves = try await call(
            [("Action", "GetCallerIdentity"), ("Version", Self.apiVersion)], signedWith: keys,
            action: "GetCallerIdentity", now: now)
        guard let account = leaves["GetCallerIdentityResponse/GetCallerIdentityResult/Account"], !account.isEmpty
        else {
            throw CredentialsError(source: "sts \(endpoint.absoluteString)", reason: "GetCallerIdentity: no Account")
        }
        return account
    }

    /// `hosts-generator-<unix seconds>`, as botocore names its sessions `botocore-session-<unix seconds>`.
    static func defaultSessionName(_ now: Date) -> String { "hosts-generator-\(Int(now.timeIntervalSince1970))" }

    private func call(_ parameters: [(String, String)], signedWith keys: AWSCredentials?, action: String, now: Date)
        async throws(CredentialsError) -> [String: String]
    {
        let source = "sts \(endpoint.absoluteString)"
        let body = Array(AWSPercentEncoding.formBody(parameters).utf8)
        let contentType = "application/x-www-form-urlencoded; charset=utf-8"
        var headers = [("Content-Type", contentType)]
        if let keys {
            let target = EC2Endpoint(url: endpoint, region: region)
            let request = SignableRequest(
                method: "POST", path: target.path,
                headers: [("Content-Type", contentType), ("Host", target.hostHeader)],
                body: body)
            headers += SigV4Signer(credentials: keys, region: region, service: "sts").sign(request, at: now).headers
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(
                method: "POST", url: endpoint, headers: headers, body: Data(body), timeout: timeout)
        } catch {
            throw CredentialsError(source: source, reason: "\(action): connection failed: \(error.reason)")
        }
        guard response.status == 200 else {
            if let document = EC2ErrorDocument.parse(response.body) {
                throw CredentialsError(
                    source: source,
                    reason: "\(action): \(document.code): \(document.message) (HTTP \(response.status))")
            }
            throw CredentialsError(
                source: source,
                reason: "\(action): HTTP \(response.status): \(EC2QueryClient.snippet(response.body))")
        }
        guard let leaves = QueryXMLLeaves.parse(response.body) else {
            throw CredentialsError(source: source, reason: "\(action): the response is not an STS XML document")
        }
        return leaves
    }

    private static func assumed(_ leaves: [String: String], result: String, action: String) throws(CredentialsError)
        -> AssumedRole
    {
        let credentials = "\(result)/Credentials/"
        guard let id = leaves[credentials + "AccessKeyId"], !id.isEmpty,
            let secret = leaves[credentials + "SecretAccessKey"], !secret.isEmpty,
            let token = leaves[credentials + "SessionToken"], !token.isEmpty
        else { throw CredentialsError(source: "sts", reason: "\(action): the response holds no credentials") }
        let expiration = leaves[credentials + "Expiration"].flatMap(CredentialsJSON.parseDate)
        return AssumedRole(
            credentials: AWSCredentials(
                accessKeyID: id, secretAccessKey: secret, sessionToken: token, expiration: expiration),
            assumedRoleARN: leaves["\(result)/AssumedRoleUser/Arn"] ?? "")
    }
}
