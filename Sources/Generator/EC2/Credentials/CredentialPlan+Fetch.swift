import Foundation

/// What fetching needs besides the plan: the region whose partition the STS and SSO calls go to, the endpoint
/// switches, the one transport.
struct CredentialContext: Sendable, Hashable {
    var environment: ProcessEnvironment
    var transport: HTTPTransport
    var region: String
    var variant: EndpointVariant

    static func == (lhs: CredentialContext, rhs: CredentialContext) -> Bool {
        lhs.region == rhs.region && lhs.variant == rhs.variant && lhs.environment == rhs.environment
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(region)
        hasher.combine(variant.fips)
        hasher.combine(variant.dualStack)
        hasher.combine(variant.legacySTS)
    }

    /// STS in the region: `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, else AWS's regional endpoint.
    func sts() throws(CredentialsError) -> STSClient {
        do {
            let url = try ServiceEndpoint.url(
                service: "sts", envName: "STS", region: region, variant: variant, environment: environment)
            // The global endpoint signs for us-east-1, as botocore's rule set says; a configured endpoint for the
            // source's region (aws-global is no signing region).
            let signing =
                stsIsConfigured
                ? (region == "aws-global" ? "us-east-1" : region)
                : AWSEndpointRules.signingRegion(service: "sts", region: region, variant: variant)
            return STSClient(endpoint: url, region: signing, transport: transport)
        } catch {
            throw CredentialsError(source: "sts", reason: "\(error)")
        }
    }

    /// Whether an STS endpoint is configured (rather than AWS's own).
    var stsIsConfigured: Bool {
        ServiceEndpoint.configured(envName: "STS", environment: environment, variant: variant) != nil
    }
}

extension CredentialPlan {
    /// Follows the plan to credentials. Every error names the plan step that failed and why.
    func fetch(_ context: CredentialContext, now: Date = Date()) async throws(CredentialsError) -> AWSCredentials {
        switch self {
        case .keys(let keys):
            return keys
        case .process(let command, let profile):
            return try await ProcessCredentialsProvider(
                command: command, profile: profile, environment: context.environment
            ).credentials(now: now)
        case .sso(let settings):
            return try await SSOCredentialsProvider(
                settings: settings, environment: context.environment, transport: context.transport,
                variant: context.variant
            ).credentials(now: now)
        case .webIdentity(let role, let file, let from):
            let source = "web identity \(role.roleARN) (\(from))"
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CredentialsError(source: source, reason: "cannot read the token file \(file)")
            }
            guard data.count <= 64 * 1024 else {
                throw CredentialsError(source: source, reason: "the token file \(file) is larger than 64 KiB")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if token.isEmpty { throw CredentialsError(source: source, reason: "the token file \(file) is empty") }
            do {
                let assumed = try await context.sts().assumeRoleWithWebIdentity(role, token: token, now: now)
                return Self.finish(assumed, role: role, source: description)
            } catch {
                throw CredentialsError(source: source, reason: error.inner)
            }
        case .assumeRole(let role, let base, let via):
            let keys: AWSCredentials
            do {
                keys = try await base.fetch(context, now: now)
            } catch {
                throw CredentialsError(
                    source: "assume-role \(role.roleARN) via \(via)", reason: "its source credentials: \(error.inner)")
            }
            do {
                let assumed = try await context.sts().assumeRole(role, with: keys, now: now)
                return Self.finish(assumed, role: role, source: description)
            } catch {
                throw CredentialsError(source: "assume-role \(role.roleARN) via \(via)", reason: error.inner)
            }
        case .container:
            guard
                let found = try await ContainerCredentialsProvider(
                    environment: context.environment, transport: context.transport
                ).credentials()
            else { throw CredentialsError(source: "container credentials", reason: "no endpoint configured") }
            return found
        case .instanceMetadata(let required):
            let provider = IMDSCredentialsProvider(environment: context.environment, transport: context.transport)
            // The planner refuses this plan when it is off; the environment a cached plan was made with stays the
            // same, so this is a second guard, not a path.
            if provider.isDisabled {
                throw CredentialsError(
                    source: "instance metadata", reason: "turned off (AWS_EC2_METADATA_DISABLED=true)")
            }
            if let found = try await provider.credentials() { return found }
            throw CredentialsError(
                source: "instance metadata \(provider.base)",
                reason: required
                    ? "did not answer (credential_source Ec2InstanceMetadata)"
                    : "did not answer, and it is the default chain's last step (nothing in the environment, the "
                        + "shared files, web identity or a container endpoint)")
        }
    }

    private static func finish(_ assumed: AssumedRole, role: AssumeRoleSettings, source: String) -> AWSCredentials {
        var credentials = assumed.credentials
        credentials.source = source
        credentials.accountID =
            RoleARN.accountID(ofPrincipal: assumed.assumedRoleARN) ?? RoleARN(role.roleARN)?.accountID
        return credentials
    }
}
