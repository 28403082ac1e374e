import Foundation

/// Decides a source's ``CredentialPlan`` from its keys, the environment and the shared files, the way botocore
/// walks its chain, with one deliberate difference: a profile that is named (a source's `profile:`, `AWS_PROFILE`)
/// must yield credentials itself. botocore lets such a profile without credentials fall through to the container
/// and instance metadata; on EC2 that silently publishes the instance role's account.
struct CredentialPlanner: Sendable {
    var environment: ProcessEnvironment
    var files: SharedConfigFiles

    /// How deep `source_profile` chains may go (botocore has no limit but refuses loops).
    static let maxChain = 10

    init(environment: ProcessEnvironment) {
        self.environment = environment
        files = SharedConfigFiles(environment: environment)
    }

    /// The plan for one source: its `profile:` (else the default chain), then its `role_arn:` on top.
    func plan(profile: String?, roleARN: String?, externalID: String?, sessionName: String?) throws(CredentialsError)
        -> CredentialPlan
    {
        let base: CredentialPlan
        if let profile {
            base = try profilePlan(profile, visited: [])
        } else {
            base = try defaultChain()
        }
        guard let roleARN else { return base }
        let via = profile.map { "profile \($0)" } ?? Self.shortName(base)
        return .assumeRole(
            AssumeRoleSettings(roleARN: roleARN, externalID: externalID, sessionName: sessionName), base: base,
            via: via)
    }

    /// environment keys; then `AWS_PROFILE` (which must resolve) or the `default` profile when it has credentials
    /// (its role first, then web identity from the environment, then its SSO, keys, process); then the container
    /// endpoint; then instance metadata.
    func defaultChain() throws(CredentialsError) -> CredentialPlan {
        if let keys = try EnvironmentCredentialsProvider(environment: environment).credentials() { return .keys(keys) }
        let (name, explicit) = SharedConfigFiles.defaultProfile(environment)
        if explicit { return try profilePlan(name, visited: []) }
        let settings = files.profile(name) ?? [:]
        if settings["role_arn"] != nil && settings["web_identity_token_file"] == nil {
            return try profilePlan(name, visited: [])
        }
        if let webIdentity = try environmentWebIdentity() { return webIdentity }
        if Self.hasCredentials(settings) { return try profilePlan(name, visited: []) }
        if ContainerCredentialsProvider.endpoint(in: environment) != nil {
            return .container
        }
        // The chain's last step is switched off: say so now, so `check` does not promise instance metadata and a
        // run fails before its first request.
        if IMDSCredentialsProvider.isDisabled(in: environment) {
            throw CredentialsError(
                source: "default chain",
                reason: "no credentials: none in the environment (AWS_ACCESS_KEY_ID), in profile \(name) of "
                    + "\(files.locations), from web identity or a container endpoint, and instance metadata is "
                    + "turned off (AWS_EC2_METADATA_DISABLED=true)")
        }
        return .instanceMetadata(required: false)
    }

    /// `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`), as EKS sets them.
    func environmentWebIdentity() throws(CredentialsError) -> CredentialPlan? {
        let file = environment["AWS_WEB_IDENTITY_TOKEN_FILE"]
        let role = environment["AWS_ROLE_ARN"]
        switch (file, role) {
        case (nil, _): return nil
        case (let file?, nil):
            throw CredentialsError(
                source: "environment", reason: "AWS_WEB_IDENTITY_TOKEN_FILE is set (\(file)) but AWS_ROLE_ARN is not")
        case (let file?, let role?):
            return .webIdentity(
                role: AssumeRoleSettings(
                    roleARN: try checkedRole(role, "AWS_ROLE_ARN"), sessionName: environment["AWS_ROLE_SESSION_NAME"]),
                tokenFile: environment.expandingTilde(file), from: "environment")
        }
    }

    /// A named profile, which must give credentials. `visited` holds the profiles above it in a `source_profile`
    /// chain: there, a profile's own keys win over its `role_arn` (botocore's rule, which lets a profile name
    /// itself as its `source_profile`).
    func profilePlan(_ name: String, visited: [String]) throws(CredentialsError) -> CredentialPlan {
        let source = "profile \(name)"
        guard let settings = files.profile(name) else {
            let via = visited.last.map { " (source_profile of profile \($0))" } ?? ""
            throw CredentialsError(source: source, reason: "not found in \(files.locations)\(via)")
        }
        if visited.count >= Self.maxChain {
            throw CredentialsError(source: source, reason: "source_profile chain longer than \(Self.maxChain)")
        }
        let hasKeys = settings["aws_access_key_id"] != nil || settings["aws_secret_access_key"] != nil
        if !visited.isEmpty && hasKeys { return try keys(settings, profile: name) }
        if let role = settings["role_arn"], settings["web_identity_token_file"] == nil {
            return try assumeRolePlan(name, role: role, settings: settings, visited: visited)
        }
        if let file = settings["web_identity_token_file"] {
            guard let role = settings["role_arn"] else {
                throw CredentialsError(source: source, reason: "web_identity_token_file needs role_arn")
            }
            return .webIdentity(
                role: try roleSettings(name, role: role, settings: settings),
                tokenFile: environment.expandingTilde(file),
                from: "profile \(name)")
        }
        if settings["sso_account_id"] != nil || settings["sso_role_name"] != nil || settings["sso_session"] != nil {
            return .sso(try ssoSettings(name, settings))
        }
        if hasKeys { return try keys(settings, profile: name) }
        if let command = settings["credential_process"], !command.isEmpty {
            return .process(command: command, profile: name)
        }
        throw CredentialsError(
            source: source,
            reason: "has no credentials (no aws_access_key_id, role_arn, web_identity_token_file, sso_*, "
                + "credential_process); a named profile never falls through to other providers")
    }

    private func assumeRolePlan(_ name: String, role: String, settings: [String: String], visited: [String])
        throws(CredentialsError) -> CredentialPlan
    {
        let source = "profile \(name)"
        let roleSettings = try roleSettings(name, role: role, settings: settings)
        switch (settings["source_profile"], settings["credential_source"]) {
        case (.some, .some):
            throw CredentialsError(source: source, reason: "has both source_profile and credential_source")
        case (nil, nil):
            throw CredentialsError(source: source, reason: "role_arn needs source_profile or credential_source")
        case (let parent?, nil):
            if visited.contains(parent) || (parent == name && !visited.isEmpty) {
                throw CredentialsError(
                    source: source,
                    reason: "source_profile loop: \((visited + [name, parent]).joined(separator: " → "))")
            }
            if parent == name {
                // Its own keys, named as its source: only those (the role is what it is assuming).
                guard settings["aws_access_key_id"] != nil || settings["aws_secret_access_key"] != nil else {
                    throw CredentialsError(source: source, reason: "source_profile names itself but it has no keys")
                }
                return .assumeRole(roleSettings, base: try keys(settings, profile: name), via: source)
            }
            return .assumeRole(
                roleSettings, base: try profilePlan(parent, visited: visited + [name]), via: source)
        case (nil, let credentialSource?):
            let base: CredentialPlan
            switch credentialSource {
            case "Environment":
                guard let found = try EnvironmentCredentialsProvider(environment: environment).credentials() else {
                    throw CredentialsError(
                        source: source,
                        reason:
                            "credential_source Environment, but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set")
                }
                base = .keys(found)
            case "Ec2InstanceMetadata":
                if IMDSCredentialsProvider.isDisabled(in: environment) {
                    throw CredentialsError(
                        source: source,
                        reason: "credential_source Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED=true turns it off"
                    )
                }
                base = .instanceMetadata(required: true)
            case "EcsContainer":
                guard ContainerCredentialsProvider.endpoint(in: environment) != nil else {
                    throw CredentialsError(
                        source: source,
                        reason:
                            "credential_source EcsContainer, but AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI is not set"
                    )
                }
                base = .container
            default:
                throw CredentialsError(
                    source: source,
                    reason:
                        "credential_source '\(credentialSource)' is not Environment, Ec2InstanceMetadata or EcsContainer"
                )
            }
            return .assumeRole(roleSettings, base: base, via: source)
        }
    }

    private func roleSettings(_ name: String, role: String, settings: [String: String]) throws(CredentialsError)
        -> AssumeRoleSettings
    {
        let source = "profile \(name)"
        if let serial = settings["mfa_serial"] {
            throw CredentialsError(
                source: source,
                reason: "mfa_serial (\(serial)) is set: hosts-generator runs unattended and cannot ask for an MFA "
                    + "code; use a role whose trust policy does not require MFA, or credentials from a credential_process"
            )
        }
        var out = AssumeRoleSettings(roleARN: try checkedRole(role, "role_arn of profile \(name)"))
        if let external = settings["external_id"] {
            guard RoleARN.isValidExternalID(external) else {
                throw CredentialsError(source: source, reason: "external_id must be 2 to 1224 characters")
            }
            out.externalID = external
        }
        if let session = settings["role_session_name"] {
            guard RoleARN.isValidSessionName(session) else {
                throw CredentialsError(
                    source: source, reason: "role_session_name must be 2 to 64 characters of letters, digits and +=,.@-"
                )
            }
            out.sessionName = session
        }
        if let text = settings["duration_seconds"] {
            guard let seconds = Int(text), (900...43200).contains(seconds) else {
                throw CredentialsError(source: source, reason: "duration_seconds must be 900 to 43200 (got '\(text)')")
            }
            out.durationSeconds = seconds
        }
        return out
    }

    private func checkedRole(_ text: String, _ what: String) throws(CredentialsError) -> String {
        guard RoleARN(text) != nil else {
            throw CredentialsError(source: what, reason: "'\(text)' is not an IAM role ARN")
        }
        return text
    }

    private func keys(_ settings: [String: String], profile: String) throws(CredentialsError) -> CredentialPlan {
        guard let id = settings["aws_access_key_id"], !id.isEmpty, let secret = settings["aws_secret_access_key"],
            !secret.isEmpty
        else {
            throw CredentialsError(
                source: "profile \(profile)", reason: "aws_access_key_id and aws_secret_access_key must both be set")
        }
        return .keys(
            AWSCredentials(
                accessKeyID: id, secretAccessKey: secret,
                sessionToken: settings["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 },
                source: "keys of profile \(profile)"))
    }

    private func ssoSettings(_ name: String, _ profile: [String: String]) throws(CredentialsError) -> SSOSettings {
        let source = "profile \(name)"
        var merged = profile
        if let session = profile["sso_session"] {
            guard let section = files.ssoSession(session) else {
                throw CredentialsError(
                    source: source, reason: "sso_session '\(session)' has no [sso-session \(session)]")
            }
            for (key, value) in section {
                if let mine = merged[key], mine != value {
                    throw CredentialsError(
                        source: source, reason: "\(key) differs between the profile and sso-session \(session)")
                }
                merged[key] = value
            }
        }
        let required = ["sso_start_url", "sso_region", "sso_account_id", "sso_role_name"]
        let missing = required.filter { (merged[$0] ?? "").isEmpty }
        if !missing.isEmpty {
            throw CredentialsError(
                source: source, reason: "configured for SSO but missing \(missing.joined(separator: ", "))")
        }
        return SSOSettings(
            profile: name, startURL: merged["sso_start_url"]!, region: merged["sso_region"]!,
            accountID: merged["sso_account_id"]!, roleName: merged["sso_role_name"]!, session: profile["sso_session"])
    }

    static func hasCredentials(_ settings: [String: String]) -> Bool {
        [
            "aws_access_key_id", "aws_secret_access_key", "role_arn", "web_identity_token_file", "sso_account_id",
            "sso_role_name", "sso_session", "credential_process",
        ].contains { settings[$0] != nil }
    }

    /// "environment", "profile prod", "instance metadata"…: what a role was assumed with, for `via`.
    static func shortName(_ plan: CredentialPlan) -> String {
        switch plan {
        case .keys(let keys): return keys.source
        case .process(_, let profile): return "profile \(profile)"
        case .sso(let settings): return "profile \(settings.profile)"
        case .webIdentity(_, _, let from): return "web identity (\(from))"
        case .assumeRole(_, _, let via): return via
        case .container: return "container credentials"
        case .instanceMetadata: return "instance metadata"
        }
    }
}
