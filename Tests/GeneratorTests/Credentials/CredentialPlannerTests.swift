import Foundation
import Testing

@testable import Generator

/// How profiles become plans (no requests are made): role chains, credential_source, SSO sessions, processes,
/// and every way a named profile fails instead of falling through to another provider.
@Suite struct CredentialPlannerTests {
    static let config = """
        [default]
        region = ap-northeast-1

        [profile base]
        aws_access_key_id = BASEKEY
        aws_secret_access_key = basesecret

        [profile prod]
        role_arn = arn:aws:iam::222233334444:role/hosts-reader
        source_profile = base
        external_id = ext-123
        role_session_name = generator
        duration_seconds = 1800

        [profile chained]
        role_arn = arn:aws:iam::555566667777:role/second-hop
        source_profile = prod

        [profile self]
        role_arn = arn:aws:iam::222233334444:role/self
        source_profile = self
        aws_access_key_id = SELFKEY
        aws_secret_access_key = selfsecret

        [profile on-ec2]
        role_arn = arn:aws:iam::222233334444:role/from-instance
        credential_source = Ec2InstanceMetadata

        [profile mfa]
        role_arn = arn:aws:iam::222233334444:role/admin
        source_profile = base
        mfa_serial = arn:aws:iam::111122223333:mfa/alice

        [profile loop-a]
        role_arn = arn:aws:iam::222233334444:role/a
        source_profile = loop-b

        [profile loop-b]
        role_arn = arn:aws:iam::222233334444:role/b
        source_profile = loop-a

        [profile orphan]
        role_arn = arn:aws:iam::222233334444:role/orphan
        source_profile = nowhere

        [profile lonely-role]
        role_arn = arn:aws:iam::222233334444:role/lonely

        [profile region-only]
        region = eu-west-1

        [profile dev]
        sso_session = corp
        sso_account_id = 111122223333
        sso_role_name = ReadOnly

        [profile legacy-sso]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1
        sso_account_id = 444455556666
        sso_role_name = Viewer

        [profile half-sso]
        sso_account_id = 444455556666

        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-central-1
        sso_registration_scopes = sso:account:access

        [profile vault]
        credential_process = /usr/local/bin/vault-creds --role "hosts reader"

        [profile eks]
        web_identity_token_file = /var/run/secrets/token
        role_arn = arn:aws:iam::888899990000:role/eks-reader
        """

    func makePlanner(_ extra: [String: String] = [:]) throws -> (CredentialPlanner, TemporaryFolder) {
        let folder = try TemporaryFolder()
        try folder.write(".aws/config", Self.config)
        try folder.write(
            ".aws/credentials", "[from-credentials-file]\naws_access_key_id = CF\naws_secret_access_key = cf\n")
        var values = ["HOME": folder.path]
        values.merge(extra) { $1 }
        return (CredentialPlanner(environment: ProcessEnvironment(values)), folder)
    }

    func failure(_ profile: String, _ extra: [String: String] = [:]) throws -> String {
        let (planner, folder) = try makePlanner(extra)
        defer { folder.remove() }
        do {
            let plan = try planner.plan(profile: profile, roleARN: nil, externalID: nil, sessionName: nil)
            return "no error: \(plan.description)"
        } catch {
            return error.description
        }
    }

    @Test func roleChains() throws {
        let (planner, folder) = try makePlanner()
        defer { folder.remove() }
        let base = CredentialPlan.keys(
            AWSCredentials(accessKeyID: "BASEKEY", secretAccessKey: "basesecret", source: "keys of profile base"))
        let prod = CredentialPlan.assumeRole(
            AssumeRoleSettings(
                roleARN: "arn:aws:iam::222233334444:role/hosts-reader", externalID: "ext-123",
                sessionName: "generator", durationSeconds: 1800), base: base, via: "profile prod")
        #expect(try planner.profilePlan("prod", visited: []) == prod)
        #expect(
            try planner.profilePlan("chained", visited: [])
                == .assumeRole(
                    AssumeRoleSettings(roleARN: "arn:aws:iam::555566667777:role/second-hop"), base: prod,
                    via: "profile chained"))
        #expect(try planner.profilePlan("chained", visited: []).knownAccountID == "555566667777")
        #expect(
            try planner.profilePlan("self", visited: [])
                == .assumeRole(
                    AssumeRoleSettings(roleARN: "arn:aws:iam::222233334444:role/self"),
                    base: .keys(
                        AWSCredentials(
                            accessKeyID: "SELFKEY", secretAccessKey: "selfsecret", source: "keys of profile self")),
                    via: "profile self"))
        #expect(
            try planner.profilePlan("on-ec2", visited: [])
                == .assumeRole(
                    AssumeRoleSettings(roleARN: "arn:aws:iam::222233334444:role/from-instance"),
                    base: .instanceMetadata(required: true), via: "profile on-ec2"))
        #expect(
            try planner.profilePlan("prod", visited: []).description
                == "assume-role arn:aws:iam::222233334444:role/hosts-reader via profile prod (keys of profile base)")
        // A source's role_arn on top of its profile.
        let onSource = try planner.plan(
            profile: "base", roleARN: "arn:aws:iam::999988887777:role/x", externalID: "e1", sessionName: nil)
        #expect(
            onSource
                == .assumeRole(
                    AssumeRoleSettings(roleARN: "arn:aws:iam::999988887777:role/x", externalID: "e1"), base: base,
                    via: "profile base"))
    }

    @Test func ssoProcessAndWebIdentity() throws {
        let (planner, folder) = try makePlanner()
        defer { folder.remove() }
        #expect(
            try planner.profilePlan("dev", visited: [])
                == .sso(
                    SSOSettings(
                        profile: "dev", startURL: "https://corp.awsapps.com/start", region: "eu-central-1",
                        accountID: "111122223333", roleName: "ReadOnly", session: "corp")))
        #expect(
            try planner.profilePlan("legacy-sso", visited: [])
                == .sso(
                    SSOSettings(
                        profile: "legacy-sso", startURL: "https://corp.awsapps.com/start", region: "us-east-1",
                        accountID: "444455556666", roleName: "Viewer", session: nil)))
        #expect(
            try planner.profilePlan("vault", visited: [])
                == .process(command: "/usr/local/bin/vault-creds --role \"hosts reader\"", profile: "vault"))
        #expect(
            try planner.profilePlan("eks", visited: [])
                == .webIdentity(
                    role: AssumeRoleSettings(roleARN: "arn:aws:iam::888899990000:role/eks-reader"),
                    tokenFile: "/var/run/secrets/token", from: "profile eks"))
        #expect(
            try planner.profilePlan("from-credentials-file", visited: []).description
                == "keys of profile from-credentials-file")
    }

    @Test func namedProfilesNeverFallThrough() throws {
        #expect(try failure("nope").hasPrefix("credentials (profile nope): not found in "))
        #expect(
            try failure("region-only").contains(
                "credentials (profile region-only): has no credentials (no aws_access_key_id, role_arn"))
        // Even with keys in the environment and instance metadata enabled: the named profile is the only source.
        #expect(
            try failure("region-only", ["AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "env"]).contains(
                "has no credentials"))
        #expect(
            try failure("mfa").contains(
                "credentials (profile mfa): mfa_serial (arn:aws:iam::111122223333:mfa/alice) is set: hosts-generator runs unattended"
            ))
        #expect(try failure("loop-a").contains("source_profile loop: loop-a → loop-b → loop-a"))
        let orphan = try failure("orphan")
        #expect(orphan.contains("credentials (profile nowhere): not found in "), "\(orphan)")
        #expect(orphan.contains("(source_profile of profile orphan)"), "\(orphan)")
        #expect(
            try failure("lonely-role")
                == "credentials (profile lonely-role): role_arn needs source_profile or credential_source")
        #expect(
            try failure("half-sso").contains("configured for SSO but missing sso_start_url, sso_region, sso_role_name"))
        // AWS_PROFILE names a profile just as a source's profile: does.
        let (planner, folder) = try makePlanner(["AWS_PROFILE": "gone"])
        defer { folder.remove() }
        #expect(throws: CredentialsError.self) { try planner.defaultChain() }
    }

    /// With instance metadata turned off, a chain that would end there is an error when planned (check says so,
    /// and a run fails before any request); a profile asking for it by credential_source too.
    @Test func metadataTurnedOffEndsTheChainWithAnError() throws {
        let (planner, folder) = try makePlanner(["AWS_EC2_METADATA_DISABLED": "TRUE"])
        defer { folder.remove() }
        let error = #expect(throws: CredentialsError.self) { try planner.defaultChain() }
        #expect(error?.source == "default chain")
        #expect(error?.reason.contains("instance metadata is turned off (AWS_EC2_METADATA_DISABLED=true)") == true)
        #expect(
            error?.reason.contains("profile default of \(folder.path)/.aws/config") == true,
            "\(String(describing: error))")
        #expect(
            try failure("on-ec2", ["AWS_EC2_METADATA_DISABLED": "true"])
                == "credentials (profile on-ec2): credential_source Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED=true "
                + "turns it off")
        // Anything earlier in the chain still wins.
        let (withContainer, other) = try makePlanner([
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x",
        ])
        defer { other.remove() }
        #expect(try withContainer.defaultChain() == .container)
    }

    @Test func defaultChainOrder() throws {
        // No default profile credentials, nothing in the environment: instance metadata ends the chain.
        var (planner, folder) = try makePlanner()
        #expect(try planner.defaultChain() == .instanceMetadata(required: false))
        folder.remove()
        (planner, folder) = try makePlanner(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"])
        #expect(try planner.defaultChain() == .container)
        folder.remove()
        (planner, folder) = try makePlanner([
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::888899990000:role/pod",
            "AWS_ROLE_SESSION_NAME": "pod-1", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x",
        ])
        #expect(
            try planner.defaultChain()
                == .webIdentity(
                    role: AssumeRoleSettings(roleARN: "arn:aws:iam::888899990000:role/pod", sessionName: "pod-1"),
                    tokenFile: "/t", from: "environment"))
        folder.remove()
        (planner, folder) = try makePlanner(["AWS_WEB_IDENTITY_TOKEN_FILE": "/t"])
        #expect(throws: CredentialsError.self) { try planner.defaultChain() }
        folder.remove()
        (planner, folder) = try makePlanner([
            "AWS_PROFILE": "prod", "AWS_ACCESS_KEY_ID": "E", "AWS_SECRET_ACCESS_KEY": "e",
        ])
        #expect(try planner.defaultChain().description == "environment")
        // A source naming a profile ignores the environment's keys.
        #expect(
            try planner.plan(profile: "base", roleARN: nil, externalID: nil, sessionName: nil).description
                == "keys of profile base")
        folder.remove()
    }
}
