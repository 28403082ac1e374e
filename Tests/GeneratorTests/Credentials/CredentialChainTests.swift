import Foundation
import TestSupport
import Testing

@testable import Generator

@Suite struct CredentialChainTests {
    let transport = HTTPTransport(timeout: 5)

    /// The default chain (no profile named on a source), planned and fetched.
    func resolve(_ environment: ProcessEnvironment) async throws -> AWSCredentials {
        let plan = try CredentialPlanner(environment: environment).defaultChain()
        return try await plan.fetch(
            CredentialContext(environment: environment, transport: transport, region: "us-east-1", variant: .init()))
    }
    static let document = """
        {"Code":"Success","AccessKeyId":"ASIAROLE","SecretAccessKey":"rolesecret","Token":"roletoken",
         "Expiration":"2099-01-01T00:00:00Z"}
        """

    @Test func environmentWinsOverFiles() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(
            ".aws/credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = filesecret\n")
        let environment = ProcessEnvironment([
            "HOME": folder.path, "AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "envsecret",
            "AWS_SESSION_TOKEN": "envtoken", "AWS_EC2_METADATA_DISABLED": "true",
        ])
        let found = try await resolve(environment)
        #expect(found.accessKeyID == "ENV")
        #expect(found.sessionToken == "envtoken")
        #expect(found.source == "environment")
        #expect(try CredentialPlanner(environment: environment).defaultChain().description == "environment")
    }

    @Test func sharedFilesWithProfile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(
            ".aws/credentials",
            """
            # comment
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = defaultsecret

            [prod]
            aws_access_key_id=PRODKEY
            aws_secret_access_key=prodsecret
            aws_session_token = prodtoken
            """)
        try folder.write(
            ".aws/config",
            "[profile staging]\nregion = eu-west-3\naws_access_key_id = STAGEKEY\naws_secret_access_key = s\n")
        var environment = ProcessEnvironment(["HOME": folder.path, "AWS_EC2_METADATA_DISABLED": "true"])
        #expect(
            try await resolve(environment).accessKeyID
                == "DEFAULTKEY")
        environment.values["AWS_PROFILE"] = "prod"
        let prod = try await resolve(environment)
        #expect(prod.accessKeyID == "PRODKEY")
        #expect(prod.sessionToken == "prodtoken")
        environment.values["AWS_PROFILE"] = "staging"
        #expect(
            try await resolve(environment).accessKeyID
                == "STAGEKEY")
        #expect(try EC2Endpoint.resolve(region: nil, endpoint: nil, environment: environment).region == "eu-west-3")
        environment.values["AWS_PROFILE"] = "missing"
        await #expect(throws: CredentialsError.self) {
            try await resolve(environment)
        }
    }

    @Test func containerCredentials() async throws {
        let server = try ScriptedHTTPServer { request in
            guard request.path == "/creds", request.headers["authorization"] == "secret-token" else {
                return .status(403, body: "no")
            }
            return .text(Self.document, contentType: "application/json")
        }
        defer { server.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let tokenFile = try folder.write("token", "secret-token\n")
        let environment = ProcessEnvironment([
            "HOME": folder.path, "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.baseURL + "/creds",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile, "AWS_EC2_METADATA_DISABLED": "true",
        ])
        let found = try await resolve(environment)
        #expect(found.accessKeyID == "ASIAROLE")
        #expect(found.sessionToken == "roletoken")
        #expect(found.expiration == Date(timeIntervalSince1970: 4_070_908_800))
    }

    @Test func imdsV2() async throws {
        let server = try ScriptedHTTPServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                guard request.headers["x-aws-ec2-metadata-token-ttl-seconds"] != nil else {
                    return .status(400, body: "")
                }
                return .text("imds-token")
            case (_, _) where request.headers["x-aws-ec2-metadata-token"] != "imds-token":
                return .status(401, body: "")
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return .text("generator-role\n")
            case ("GET", "/latest/meta-data/iam/security-credentials/generator-role"):
                return .text(Self.document)
            default:
                return .status(404, body: "")
            }
        }
        defer { server.stop() }
        var environment = ProcessEnvironment([
            "HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL,
        ])
        let found = try await resolve(environment)
        #expect(found.accessKeyID == "ASIAROLE")
        #expect(found.source.contains("generator-role"))
        #expect(server.requests.map(\.method) == ["PUT", "GET", "GET"])

        environment.values["AWS_EC2_METADATA_DISABLED"] = "true"
        await #expect(throws: CredentialsError.self) {
            try await resolve(environment)
        }
        #expect(server.requests.count == 3)
    }

    @Test func halfSetEnvironmentIsAnError() {
        let provider = EnvironmentCredentialsProvider(environment: ProcessEnvironment(["AWS_ACCESS_KEY_ID": "x"]))
        #expect(throws: CredentialsError.self) { try provider.credentials() }
    }
}
