import Foundation

/// How one identity's credentials are obtained, decided from the source's keys, the environment and the shared
/// files before any request is made (so `check` can show it and a bad profile fails before the first request).
/// Fetching follows the plan and nothing else: a named profile that cannot be resolved is an error, never a
/// fall-through to another provider.
indirect enum CredentialPlan: Sendable, Hashable {
    /// Keys as given (environment variables or a profile's `aws_access_key_id`).
    case keys(AWSCredentials)
    /// A profile's `credential_process`.
    case process(command: String, profile: String)
    /// A profile's SSO settings: a token cached by `aws sso login`, exchanged with the portal.
    case sso(SSOSettings)
    /// AssumeRoleWithWebIdentity with a token file (EKS service accounts, `web_identity_token_file`).
    case webIdentity(role: AssumeRoleSettings, tokenFile: String, from: String)
    /// AssumeRole, signed with the credentials of `base`.
    case assumeRole(AssumeRoleSettings, base: CredentialPlan, via: String)
    /// ECS/EKS container credentials endpoint.
    case container
    /// EC2 instance metadata (IMDSv2); `required` when a profile asked for it (`credential_source`): then a missing
    /// metadata service is an error, not the end of the chain.
    case instanceMetadata(required: Bool)

    /// For logs and `check`: "environment", "assume-role arn:… via profile prod", "sso 111122223333/ReadOnly
    /// (profile dev)"…
    var description: String {
        switch self {
        case .keys(let keys): return keys.source
        case .process(_, let profile): return "credential_process (profile \(profile))"
        case .sso(let settings):
            return "sso \(settings.accountID)/\(settings.roleName) (profile \(settings.profile))"
        case .webIdentity(let role, let file, let from):
            return "web-identity \(role.roleARN) (token file \(file), \(from))"
        case .assumeRole(let role, let base, let via):
            let inner = base.description
            return "assume-role \(role.roleARN) via \(via)" + (inner == via || inner.isEmpty ? "" : " (\(inner))")
        case .container: return "container credentials"
        case .instanceMetadata: return "instance metadata"
        }
    }

    /// The account the plan lands in when the plan alone says so (a role ARN, an SSO account); nil when only STS can
    /// tell (keys, process, container, instance metadata).
    var knownAccountID: String? {
        switch self {
        case .sso(let settings): return settings.accountID
        case .webIdentity(let role, _, _), .assumeRole(let role, _, _): return RoleARN(role.roleARN)?.accountID
        default: return nil
        }
    }
}

/// The AssumeRole parameters a profile or a source gives.
struct AssumeRoleSettings: Sendable, Hashable {
    var roleARN: String
    var externalID: String?
    var sessionName: String?
    /// `duration_seconds`: 900…43200 (STS caps it at the role's maximum session duration).
    var durationSeconds: Int?
}

/// A profile's SSO settings, with `sso_session` resolved.
struct SSOSettings: Sendable, Hashable {
    var profile: String
    var startURL: String
    var region: String
    var accountID: String
    var roleName: String
    /// The `sso-session` section's name; the token cache file is named for it (else for the start URL).
    var session: String?
}
