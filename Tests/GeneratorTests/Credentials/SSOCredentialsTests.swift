import Crypto
import Foundation
import TestSupport
import Testing

@testable import Generator

/// SSO against a scripted loopback portal: moto has no SSO portal (no GetRoleCredentials), so the portal here
/// answers in the documented shape (`GET /federation/credentials`, bearer token header, `roleCredentials` JSON).
@Suite struct SSOCredentialsTests {
    static let config = """
        [profile dev]
        sso_session = corp
        sso_account_id = 111122223333
        sso_role_name = ReadOnly

        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-central-1
        """

    func portal() throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { request in
            guard request.method == "GET", request.path == "/federation/credentials",
                request.target.contains("account_id=111122223333"), request.target.contains("role_name=ReadOnly")
            else { return .status(404, body: "{}") }
            guard request.headers["x-amz-sso_bearer_token"] == "cached-token" else {
                return .text(#"{"message":"Session token not found or invalid"}"#, status: 401)
            }
            return .text(
                #"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"ssosecret","sessionToken":"ssotoken","expiration":4070908800000}}"#,
                contentType: "application/json")
        }
    }

    func sha1(_ text: String) -> String {
        Insecure.SHA1.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test func cachedTokenExchangedAtThePortal() async throws {
        let server = try portal()
        defer { server.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(".aws/config", Self.config)
        // The cache file is named for the sso-session, as `aws sso login` names it.
        try folder.write(
            ".aws/sso/cache/\(sha1("corp")).json",
            #"{"startUrl":"https://corp.awsapps.com/start","region":"eu-central-1","accessToken":"cached-token","expiresAt":"2099-01-01T00:00:00Z"}"#
        )
        let environment = ProcessEnvironment(["HOME": folder.path, "AWS_ENDPOINT_URL_SSO": server.baseURL])
        let plan = try CredentialPlanner(environment: environment).plan(
            profile: "dev", roleARN: nil, externalID: nil, sessionName: nil)
        #expect(plan.description == "sso 111122223333/ReadOnly (profile dev)")
        let context = CredentialContext(
            environment: environment, transport: HTTPTransport(timeout: 5), region: "ap-northeast-1", variant: .init())
        let found = try await plan.fetch(context)
        #expect(found.accessKeyID == "ASIASSO")
        #expect(found.sessionToken == "ssotoken")
        #expect(found.expiration == Date(timeIntervalSince1970: 4_070_908_800))
        #expect(found.accountID == "111122223333")
        #expect(server.requests.count == 1)

        // An expired token is refused before any request, with what to run.
        try folder.write(
            ".aws/sso/cache/\(sha1("corp")).json",
            #"{"accessToken":"cached-token","expiresAt":"2001-01-01T00:00:00UTC"}"#)
        do {
            let error = await #expect(throws: CredentialsError.self) { try await plan.fetch(context) }
            #expect(
                "\(String(describing: error))".contains(
                    "the SSO token expired at 2001-01-01T00:00:00UTC: run aws sso login --sso-session corp"),
                "\(String(describing: error))")
        }
        // A token the portal rejects.
        try folder.write(
            ".aws/sso/cache/\(sha1("corp")).json", #"{"accessToken":"stale","expiresAt":"2099-01-01T00:00:00Z"}"#)
        do {
            let error = await #expect(throws: CredentialsError.self) { try await plan.fetch(context) }
            #expect(
                "\(String(describing: error))".contains("HTTP 401")
                    && "\(String(describing: error))".contains("run aws sso login --sso-session corp"),
                "\(String(describing: error))")
        }
        try FileManager.default.removeItem(atPath: folder.file(".aws/sso/cache/\(sha1("corp")).json"))
        do {
            let error = await #expect(throws: CredentialsError.self) { try await plan.fetch(context) }
            #expect(
                "\(String(describing: error))".contains(
                    "no cached SSO token at \(folder.path)/.aws/sso/cache/\(sha1("corp")).json"),
                "\(String(describing: error))")
        }
        #expect(server.requests.count == 2)
    }

    @Test func legacyProfileCacheIsNamedForTheStartURL() throws {
        let settings = SSOSettings(
            profile: "old", startURL: "https://corp.awsapps.com/start", region: "us-east-1", accountID: "1",
            roleName: "r", session: nil)
        let provider = SSOCredentialsProvider(
            settings: settings, environment: ProcessEnvironment(["HOME": "/h"]), transport: HTTPTransport(timeout: 1),
            variant: .init())
        #expect(provider.tokenFile == "/h/.aws/sso/cache/\(sha1("https://corp.awsapps.com/start")).json")
    }
}
