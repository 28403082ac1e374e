import Foundation
import Testing

@testable import Generator

/// The per-source identity keys: `profile`, `role_arn`, `external_id`, `role_session_name`.
@Suite struct SourceIdentityConfigTests {
    func parse(_ source: String) throws(ConfigError) -> GeneratorConfig {
        try ConfigLoader(path: "/etc/pd.yml").parse(
            """
            sources:
              - name: tokyo
                region: ap-northeast-1
            \(source)
            profiles:
              - name: office
                prefixes: [apne1a-prod]
                address: public
            """)
    }

    func error(_ source: String) -> String? {
        do {
            _ = try parse(source)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func identityKeysAreRead() throws {
        let config = try parse(
            """
              - name: billing
                region: us-east-1
                profile: billing-admin
                role_arn: arn:aws:iam::222233334444:role/ops/hosts-reader
                external_id: pseudodns-2026
                role_session_name: hosts@generator
            """)
        #expect(config.sources[0] == SourceConfig(name: "tokyo", region: "ap-northeast-1"))
        #expect(
            config.sources[1]
                == SourceConfig(
                    name: "billing", region: "us-east-1", profile: "billing-admin",
                    roleARN: "arn:aws:iam::222233334444:role/ops/hosts-reader", externalID: "pseudodns-2026",
                    roleSessionName: "hosts@generator"))
        #expect(RoleARN(config.sources[1].roleARN!)?.accountID == "222233334444")
        #expect(RoleARN(config.sources[1].roleARN!)?.name == "hosts-reader")
    }

    @Test func badIdentityKeysNameLineAndKey() {
        #expect(
            error("  - name: b\n    role_arn: arn:aws:iam::1234:role/x")
                == "/etc/pd.yml:5: sources[1].role_arn: 'arn:aws:iam::1234:role/x' is not an IAM role ARN "
                + "(arn:PARTITION:iam::ACCOUNT-ID:role/NAME)")
        #expect(
            error("  - name: b\n    role_arn: arn:aws:iam::123456789012:user/x")?.contains("not an IAM role ARN")
                == true)
        #expect(
            error("  - name: b\n    external_id: abc")
                == "/etc/pd.yml:5: sources[1].external_id: needs role_arn on the same source")
        #expect(
            error("  - name: b\n    role_session_name: abc")
                == "/etc/pd.yml:5: sources[1].role_session_name: needs role_arn on the same source")
        #expect(
            error("  - name: b\n    role_arn: arn:aws:iam::123456789012:role/x\n    external_id: 'a b'")?
                .contains("sources[1].external_id: must be 2 to 1224 characters") == true)
        #expect(
            error("  - name: b\n    role_arn: arn:aws:iam::123456789012:role/x\n    role_session_name: x")?
                .contains("sources[1].role_session_name: must be 2 to 64 characters") == true)
        #expect(
            error("  - name: b\n    profile: 'my prod'")
                == "/etc/pd.yml:5: sources[1].profile: 'my prod' is not a profile name (no spaces or brackets)")
        #expect(error("  - name: b\n    profile: ''") == "/etc/pd.yml:5: sources[1].profile: must not be empty")
        #expect(error("  - name: b\n    rolearn: x")?.contains("sources[1].rolearn: unknown key") == true)
    }
}
