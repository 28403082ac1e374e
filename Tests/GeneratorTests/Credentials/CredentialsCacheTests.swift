import Foundation
import TestSupport
import Testing

@testable import Generator

/// Refreshing assumed-role credentials before they expire, one STS call however many sources ask at once, and a
/// failed refresh that keeps still-valid credentials. STS here is a loopback stand-in answering AssumeRole in
/// AWS's documented XML shape, so the test can choose each expiry.
@Suite struct CredentialsCacheTests {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var current = Date(timeIntervalSince1970: 2_000_000_000)
        var now: Date { lock.withLock { current } }
        func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    }

    static func assumeRoleXML(key: String, expires: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return """
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
            <AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::222233334444:assumed-role/r/s</Arn></AssumedRoleUser>
            <Credentials><AccessKeyId>\(key)</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>
            <SessionToken>token</SessionToken><Expiration>\(formatter.string(from: expires))</Expiration></Credentials>
            </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>
            """
    }

    @Test func refreshesBeforeExpiryOnceForConcurrentCallers() async throws {
        let clock = Clock()
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var calls = 0
            var failing = false
        }
        let counter = Counter()
        let sts = try ScriptedHTTPServer { request in
            let (n, failing) = counter.lock.withLock { () -> (Int, Bool) in
                counter.calls += 1
                return (counter.calls, counter.failing)
            }
            if failing {
                return .xml(
                    "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>",
                    status: 400)
            }
            // Sessions of 15 minutes (STS's shortest), slow to answer so that concurrent callers overlap.
            return ScriptedResponse(
                status: 200, headers: [("Content-Type", "text/xml")],
                body: Array(Self.assumeRoleXML(key: "ASIA\(n)", expires: clock.now.addingTimeInterval(900)).utf8),
                delay: 0.2)
        }
        defer { sts.stop() }
        let environment = ProcessEnvironment(["HOME": "/nonexistent", "AWS_ENDPOINT_URL_STS": sts.baseURL])
        let plan = CredentialPlan.assumeRole(
            AssumeRoleSettings(roleARN: "arn:aws:iam::222233334444:role/r"),
            base: .keys(AWSCredentials(accessKeyID: "BASE", secretAccessKey: "s", source: "environment")),
            via: "environment")
        let cache = CredentialsCache(
            plan: plan,
            context: CredentialContext(
                environment: environment, transport: HTTPTransport(timeout: 5), region: "eu-west-1", variant: .init()),
            now: { clock.now })
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await cache.credentials().accessKeyID } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(keys == Array(repeating: "ASIA1", count: 8))
        #expect(counter.lock.withLock { counter.calls } == 1)
        let first = try #require(sts.requests.first)
        #expect(first.bodyText.contains("Action=AssumeRole"))
        #expect(first.bodyText.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A222233334444%3Arole%2Fr"))
        #expect(first.headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=BASE/") == true)
        #expect(first.headers["authorization"]?.contains("/eu-west-1/sts/aws4_request") == true)
        #expect(await cache.accountID(ec2IsCustom: false) == .known("222233334444"))

        clock.advance(200)  // 700 s left: more than the 600 s margin, kept
        #expect(try await cache.credentials().accessKeyID == "ASIA1")
        clock.advance(200)  // 500 s left: refreshed
        #expect(try await cache.credentials().accessKeyID == "ASIA2")
        #expect(counter.lock.withLock { counter.calls } == 2)

        // A refresh that fails keeps credentials with more than a minute left, then fails.
        counter.lock.withLock { counter.failing = true }
        clock.advance(400)  // 500 s left
        #expect(try await cache.credentials().accessKeyID == "ASIA2")
        clock.advance(460)  // 40 s left
        let error = await #expect(throws: CredentialsError.self) { try await cache.credentials() }
        #expect(
            error?.description.contains(
                "assume-role arn:aws:iam::222233334444:role/r via environment): sts \(sts.baseURL): AssumeRole: Throttling: Rate exceeded"
            ) == true, "\(String(describing: error))")
    }
}
