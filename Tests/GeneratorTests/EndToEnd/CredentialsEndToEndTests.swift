import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Generator

/// The real binary against a real moto_server, with identities from the AWS credential chain: roles in other
/// accounts (moto answers an assumed role's keys as the role's account), web identity, credential_process, SSO
/// (through a loopback portal stand-in, as moto has none), and a role that fails while an instance-metadata
/// stand-in offers credentials that must not be used.
@Suite(.enabled(if: MotoServer.canRun, "moto_server not installed"))
struct CredentialsEndToEndTests {
    func addresses(_ text: String?) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for entry in try StrictParser.parse(Array((text ?? "").utf8), source: "test") {
            out[entry.address.description] = entry.hostnames.map(\.value)
        }
        return out
    }

    func config(_ sources: String, prefix: String, output: String = "pub") -> String {
        """
        sources:
        \(sources)
        profiles:
          - name: estate
            prefixes: [\(prefix)]
            address: private
        output: \(output)
        retry:
          max-attempts: 2
          base-delay: 0.01
          max-delay: 0.02
        """
    }

    /// The "source swept" log line of `source`.
    func sweptLine(_ stderr: String, _ source: String) -> String {
        stderr.split(separator: "\n").map(String.init).first {
            $0.contains("source swept") && $0.contains("source=\(source)")
        }
            ?? "(no 'source swept' line for \(source))"
    }

    @Test func twoAccountsThroughAssumedRolesInOneConfig() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("multi")
        let roleA = "arn:aws:iam::111111111111:role/hosts-reader"
        let roleB = "arn:aws:iam::222222222222:role/hosts-reader"
        let (inA, inB) = try await offThePool {
            (
                try MotoSeeder(endpoint: moto, roleARN: roleA).create([
                    .init(name: "alpha-1", prefix: prefix), .init(name: "alpha-2", prefix: prefix),
                ]),
                try MotoSeeder(endpoint: moto, roleARN: roleB).create([.init(name: "beta-1", prefix: prefix)])
            )
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Account B through a shared-config profile (role_arn + source_profile), account A through the source's own
        // role_arn on the environment's keys.
        try folder.write(
            ".aws/config",
            """
            [profile base]
            aws_access_key_id = test
            aws_secret_access_key = test

            [profile account-b]
            role_arn = \(roleB)
            source_profile = base
            role_session_name = hosts-generator-b
            """)
        let path = try folder.write(
            "p.yml",
            config(
                """
                  - name: account-a
                    region: ap-northeast-1
                    endpoint: \(moto)
                    role_arn: \(roleA)
                    external_id: pseudodns
                  - name: account-b
                    region: ap-northeast-1
                    endpoint: \(moto)
                    profile: account-b
                """, prefix: prefix))
        let environment = ["HOME": folder.path, "AWS_ENDPOINT_URL_STS": moto]
        let check = try await offThePool {
            try GeneratorRun.run(["check", "--config", path], environment: environment)
        }
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("source account-b: ap-northeast-1 \(moto), timeout "), "\(check.stdout)")
        #expect(
            check.stdout.contains(
                "; credentials: assume-role \(roleB) via profile account-b (keys of profile base)\n"),
            "\(check.stdout)")
        #expect(
            check.stdout.contains(
                "; credentials: assume-role \(roleA) via environment\n"))

        let run = try await offThePool {
            try GeneratorRun.run(["generate", "--config", path], environment: environment)
        }
        #expect(run.status == 0, "\(run.stderr)")
        let a = sweptLine(run.stderr, "account-a")
        #expect(a.contains("account=111111111111") && a.contains("instances=2"), "\(a)")
        #expect(
            a.contains("credentials=\"assume-role \(roleA) via environment")
                || a.contains("assume-role \(roleA) via environment"), "\(a)")
        let b = sweptLine(run.stderr, "account-b")
        #expect(b.contains("account=222222222222") && b.contains("instances=1"), "\(b)")
        #expect(b.contains("via profile account-b"), "\(b)")
        let expected = Dictionary(
            uniqueKeysWithValues: (inA + inB).map { ($0.privateIP!, [$0.name!]) })
        #expect(try addresses(folder.read("pub/estate.hosts")) == expected)
    }

    @Test func failingRoleFailsTheRunAndNeverFallsBackToInstanceMetadata() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("fallback")
        // Instances in moto's default account, the one the metadata stand-in's keys would reach.
        _ = try await offThePool {
            try MotoSeeder(endpoint: moto).create([.init(name: "wrong-account", prefix: prefix)])
        }
        // A loopback stand-in for the instance metadata service, offering (moto-valid) role credentials.
        let imds = try ScriptedHTTPServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"): return .text("imds-token")
            case ("GET", "/latest/meta-data/iam/security-credentials/"): return .text("instance-role\n")
            case ("GET", "/latest/meta-data/iam/security-credentials/instance-role"):
                return .text(
                    #"{"Code":"Success","AccessKeyId":"test","SecretAccessKey":"test","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#
                )
            default: return .status(404)
            }
        }
        defer { imds.stop() }
        // STS refusing the role, in the shape AWS documents for AssumeRole errors (moto never refuses a role).
        let sts = try ScriptedHTTPServer { _ in
            .xml(
                """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>
                <Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::333333333333:role/hosts-reader</Message>
                </Error><RequestId>r</RequestId></ErrorResponse>
                """, status: 403)
        }
        defer { sts.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(
            ".aws/config",
            """
            [profile prod]
            role_arn = arn:aws:iam::333333333333:role/hosts-reader
            credential_source = Environment
            """)
        let path = try folder.write(
            "p.yml",
            config(
                "  - name: prod\n    region: ap-northeast-1\n    endpoint: \(moto)\n    profile: prod", prefix: prefix))
        // No keys in the environment would make credential_source Environment fail in planning; give them, and
        // enable instance metadata (GeneratorRun disables it by default).
        let environment = [
            "HOME": folder.path, "AWS_ENDPOINT_URL_STS": sts.baseURL, "AWS_EC2_METADATA_DISABLED": "",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.baseURL,
        ]
        let run = try await offThePool {
            try GeneratorRun.run(["generate", "--config", path], environment: environment)
        }
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("profile prod"), "\(run.stderr)")
        #expect(
            run.stderr.contains("AccessDenied: User: arn:aws:iam::123456789012:user/ci is not authorized"),
            "\(run.stderr)")
        #expect(imds.requests.isEmpty, "the metadata stand-in was asked: \(imds.requests.map(\.path))")
        #expect(folder.read("pub/estate.hosts") == nil)

        // A named profile that does not exist, and one with no credentials: errors before any request.
        try folder.write(".aws/config", "[profile prod]\nregion = ap-northeast-1\n")
        let empty = try await offThePool {
            try GeneratorRun.run(["generate", "--config", path], environment: environment)
        }
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("source prod: credentials (profile prod): has no credentials"), "\(empty.stderr)")
        let check = try await offThePool {
            try GeneratorRun.run(["check", "--config", path], environment: environment)
        }
        #expect(check.status != 0)
        #expect(check.stderr.contains("profile prod"), "\(check.stderr)")
        try FileManager.default.removeItem(atPath: folder.file(".aws/config"))
        let missing = try await offThePool {
            try GeneratorRun.run(["generate", "--config", path], environment: environment)
        }
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("credentials (profile prod): not found in"), "\(missing.stderr)")
        #expect(imds.requests.isEmpty)
        #expect(sts.requests.count == 1)
    }

    @Test func webIdentityAgainstMotoSTS() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("eks")
        let role = "arn:aws:iam::444444444444:role/eks-hosts"
        let created = try await offThePool {
            try MotoSeeder(endpoint: moto, roleARN: role).create([.init(name: "pod-host", prefix: prefix)])
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let token = try folder.write("token", "eyJhbGciOiJSUzI1NiJ9.service-account-token.sig\n")
        let path = try folder.write(
            "p.yml", config("  - name: eks\n    region: ap-northeast-1\n    endpoint: \(moto)", prefix: prefix))
        // As EKS sets them; no static keys in the environment.
        let environment = [
            "HOME": folder.path, "AWS_ENDPOINT_URL_STS": moto, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
            "AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": role, "AWS_ROLE_SESSION_NAME": "pod-1",
        ]
        let run = try await offThePool {
            try GeneratorRun.run(["generate", "--config", path], environment: environment)
        }
        #expect(run.status == 0, "\(run.stderr)")
        let line = sweptLine(run.stderr, "eks")
        #expect(line.contains("web-identity \(role)") && line.contains("account=444444444444"), "\(line)")
        #expect(try addresses(folder.read("pub/estate.hosts")) == [created[0].privateIP!: ["pod-host"]])
    }

    @Test func credentialProcessAndSSO() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let prefix = SharedMoto.uniquePrefix("proc")
        let ssoRole = "arn:aws:iam::555555555555:role/AWSReservedSSO_ReadOnly"
        let (inDefault, inSSO, keys) = try await offThePool {
            (
                try MotoSeeder(endpoint: moto).create([.init(name: "from-process", prefix: prefix)]),
                try MotoSeeder(endpoint: moto, roleARN: ssoRole).create([.init(name: "from-sso", prefix: prefix)]),
                try MotoSeeder(endpoint: moto).assumedKeys(ssoRole)
            )
        }
        // The SSO portal stand-in (moto has none) hands out the keys of a role in account 555555555555.
        let portal = try ScriptedHTTPServer { request in
            guard request.path == "/federation/credentials", request.headers["x-amz-sso_bearer_token"] == "sso-token"
            else { return .status(401, body: "{}") }
            return .text(
                #"{"roleCredentials":{"accessKeyId":"\#(keys.id)","secretAccessKey":"\#(keys.secret)","sessionToken":"\#(keys.token)","expiration":4070908800000}}"#,
                contentType: "application/json")
        }
        defer { portal.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let helper = try folder.write(
            "bin/creds",
            """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "test", "SecretAccessKey": "test"}'
            """)
        chmod(helper, 0o755)
        try folder.write(
            ".aws/config",
            """
            [profile vault]
            credential_process = /bin/sh \(helper) --profile vault

            [profile dev]
            sso_session = corp
            sso_account_id = 555555555555
            sso_role_name = ReadOnly

            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = ap-northeast-1
            """)
        try folder.write(
            ".aws/sso/cache/\(SSOCredentialsTests().sha1("corp")).json",
            #"{"accessToken":"sso-token","expiresAt":"2099-01-01T00:00:00Z"}"#)
        let path = try folder.write(
            "p.yml",
            config(
                """
                  - name: vault
                    region: ap-northeast-1
                    endpoint: \(moto)
                    profile: vault
                  - name: sso
                    region: ap-northeast-1
                    endpoint: \(moto)
                    profile: dev
                """, prefix: prefix))
        let environment = ["HOME": folder.path, "AWS_ENDPOINT_URL_STS": moto, "AWS_ENDPOINT_URL_SSO": portal.baseURL]
        let run = try await offThePool {
            try GeneratorRun.run(["generate", "--config", path], environment: environment)
        }
        #expect(run.status == 0, "\(run.stderr)")
        let vault = sweptLine(run.stderr, "vault")
        // The process gave no AccountId: the account comes from sts:GetCallerIdentity (moto's default account).
        #expect(
            vault.contains("credential_process (profile vault)") && vault.contains("account=123456789012"), "\(vault)")
        let sso = sweptLine(run.stderr, "sso")
        #expect(
            sso.contains("sso 555555555555/ReadOnly (profile dev)") && sso.contains("account=555555555555"), "\(sso)")
        #expect(
            try addresses(folder.read("pub/estate.hosts"))
                == [inDefault[0].privateIP!: ["from-process"], inSSO[0].privateIP!: ["from-sso"]])
        #expect(portal.requests.count == 1)
    }
}
