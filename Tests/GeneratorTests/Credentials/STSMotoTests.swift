import Foundation
import TestSupport
import Testing

@testable import Generator

/// The STS Query client against moto's STS: AssumeRole (signed with the base keys), AssumeRoleWithWebIdentity
/// (unsigned), GetCallerIdentity with the assumed keys answering as the role's account.
@Suite(.enabled(if: MotoServer.canRun, "moto_server not installed"))
struct STSMotoTests {
    @Test func assumeRoleWebIdentityAndCallerIdentity() async throws {
        let moto = try await SharedMoto.instance.endpoint()
        let sts = STSClient(endpoint: URL(string: moto)!, region: "eu-west-1", transport: HTTPTransport(timeout: 10))
        let base = AWSCredentials(accessKeyID: "test", secretAccessKey: "test")
        #expect(try await sts.callerAccount(with: base, now: Date()) == "123456789012")

        let role = AssumeRoleSettings(
            roleARN: "arn:aws:iam::210987654321:role/hosts-reader", externalID: "ext-1", sessionName: "gen-test",
            durationSeconds: 900)
        let assumed = try await sts.assumeRole(role, with: base, now: Date())
        #expect(assumed.assumedRoleARN == "arn:aws:sts::210987654321:assumed-role/hosts-reader/gen-test")
        #expect(assumed.credentials.sessionToken?.isEmpty == false)
        let expiration = try #require(assumed.credentials.expiration)
        #expect(expiration > Date() && expiration < Date().addingTimeInterval(3700))
        #expect(try await sts.callerAccount(with: assumed.credentials, now: Date()) == "210987654321")

        let web = try await sts.assumeRoleWithWebIdentity(
            AssumeRoleSettings(roleARN: "arn:aws:iam::135791357913:role/pod"), token: "eyJ.token.sig", now: Date())
        #expect(web.assumedRoleARN.hasPrefix("arn:aws:sts::135791357913:assumed-role/pod/hosts-generator-"))

        // Through the plan: the account comes from the assumed role's ARN.
        let plan = CredentialPlan.assumeRole(role, base: .keys(base), via: "environment")
        let context = CredentialContext(
            environment: ProcessEnvironment(["AWS_ENDPOINT_URL_STS": moto]), transport: HTTPTransport(timeout: 10),
            region: "eu-west-1", variant: .init())
        let fetched = try await plan.fetch(context)
        #expect(fetched.accountID == "210987654321")
        #expect(
            fetched.source == "assume-role arn:aws:iam::210987654321:role/hosts-reader via environment")
    }

    @Test func unreachableSTSNamesTheCall() async throws {
        let down = try RefusingPort()
        defer { down.close() }
        let sts = STSClient(
            endpoint: URL(string: "http://127.0.0.1:\(down.port)")!, region: "eu-west-1",
            transport: HTTPTransport(timeout: 2))
        let error = await #expect(throws: CredentialsError.self) {
            try await sts.assumeRole(
                AssumeRoleSettings(roleARN: "arn:aws:iam::210987654321:role/r"),
                with: AWSCredentials(accessKeyID: "a", secretAccessKey: "b"), now: Date())
        }
        #expect(error?.reason.hasPrefix("AssumeRole: connection failed") == true, "\(String(describing: error))")
    }
}
