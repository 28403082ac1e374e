import Foundation
import Testing

@testable import Generator

@Suite struct RetryAndEndpointTests {
    @Test func backoffIsCappedFullJitter() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 0.5, maxDelay: 4)
        var generator = SystemRandomNumberGenerator()
        for retry in 1...9 {
            let cap = min(4, 0.5 * Double(1 << (retry - 1)))
            for _ in 0..<50 {
                let delay = policy.delay(beforeRetry: retry, using: &generator)
                #expect(delay >= 0 && delay <= cap)
            }
        }
    }

    @Test func retryableErrors() {
        func api(_ status: Int, _ code: String) -> EC2Error {
            EC2Error(source: "s", kind: .api(status: status, code: code, message: ""))
        }
        #expect(api(503, "RequestLimitExceeded").isRetryable)
        #expect(api(400, "Throttling").isRetryable)
        #expect(api(500, "InternalError").isRetryable)
        #expect(!api(401, "AuthFailure").isRetryable)
        #expect(!api(403, "UnauthorizedOperation").isRetryable)
        #expect(!api(400, "InvalidParameterValue").isRetryable)
        #expect(EC2Error(source: "s", kind: .http(status: 502, snippet: "")).isRetryable)
        #expect(!EC2Error(source: "s", kind: .http(status: 404, snippet: "")).isRetryable)
        #expect(EC2Error(source: "s", kind: .transport("refused")).isRetryable)
        #expect(!EC2Error(source: "s", kind: .transport("answer body exceeds 64 MiB", retryable: false)).isRetryable)
        #expect(!EC2Error(source: "s", kind: .badPage(PageParseError(line: 1, reason: "x"))).isRetryable)
    }

    @Test func endpointResolutionOrder() throws {
        let none = ProcessEnvironment(["HOME": "/nonexistent"])
        let aws = try EC2Endpoint.resolve(region: "ap-northeast-1", endpoint: nil, environment: none)
        #expect(aws.url.absoluteString == "https://ec2.ap-northeast-1.amazonaws.com")
        #expect(aws.hostHeader == "ec2.ap-northeast-1.amazonaws.com")
        #expect(aws.path == "/")

        let env = ProcessEnvironment([
            "HOME": "/nonexistent", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": "http://generic:1", "AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:5000/base/",
        ])
        let fromEnv = try EC2Endpoint.resolve(region: nil, endpoint: nil, environment: env)
        #expect(fromEnv.region == "eu-west-1")
        #expect(fromEnv.url.absoluteString == "http://127.0.0.1:5000/base/")
        #expect(fromEnv.hostHeader == "127.0.0.1:5000")
        #expect(fromEnv.path == "/base/")

        var generic = env
        generic.values["AWS_ENDPOINT_URL_EC2"] = nil
        generic.values["AWS_REGION"] = nil
        let fallback = try EC2Endpoint.resolve(region: nil, endpoint: nil, environment: generic)
        #expect(fallback.region == "us-east-1")
        #expect(fallback.url.absoluteString == "http://generic:1")

        let explicit = try EC2Endpoint.resolve(region: "x-1", endpoint: "https://e.example:443", environment: env)
        #expect(explicit.hostHeader == "e.example")
        #expect(throws: EndpointError.self) { try EC2Endpoint.resolve(region: nil, endpoint: nil, environment: none) }
    }
}
