import Foundation
import TestSupport
import Testing

@testable import Generator

/// Endpoints from the shared config (a profile's `endpoint_url`, its `services` section's `SERVICE.endpoint_url`,
/// `ignore_configured_endpoint_urls`) beside the environment's, compared with what the installed botocore picks
/// for the same files and environment.
@Suite(.enabled(if: MotoServer.canRun, "botocore (with moto) not installed"))
struct SharedConfigEndpointTests {
    static let config = """
        [profile dev]
        region = ap-northeast-1
        endpoint_url = http://127.0.0.1:4566
        services = local

        [services local]
        ec2 =
          endpoint_url = http://127.0.0.1:4567
        # a comment between sub-properties
        sts =
          endpoint_url = http://127.0.0.1:4568/base

        [profile quiet]
        region = ap-northeast-1
        endpoint_url = http://127.0.0.1:4566
        ignore_configured_endpoint_urls = true

        [profile broken]
        region = ap-northeast-1
        services = missing
        """

    /// (service, profile, extra environment) → botocore's endpoint URL for it.
    func botocore(_ home: String, _ cases: [(String, String, [String: String])]) throws -> [String] {
        let script = """
            import json, os, sys, boto3
            out = []
            for service, profile, extra in json.loads(sys.argv[1]):
                for key in [k for k in os.environ if k.startswith("AWS_")]:
                    del os.environ[key]
                os.environ.update(extra)
                session = boto3.Session(profile_name=profile, aws_access_key_id="x", aws_secret_access_key="y")
                out.append(session.client(service).meta.endpoint_url)
            print(json.dumps(out))
            """
        let encoded = cases.map { [$0.0, $0.1, $0.2] as [Any] }
        let argument = String(decoding: try JSONSerialization.data(withJSONObject: encoded), as: UTF8.self)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["HOME"] = home
        let result = try BuiltProducts.run(
            "/usr/bin/env", ["python3", "-c", script, argument], environment: environment)
        guard result.status == 0 else { throw MotoSeeder.Failed(description: "botocore: \(result.stderr)") }
        return try JSONDecoder().decode([String].self, from: Data(result.stdout.utf8))
    }

    @Test func profileAndServicesEndpointsAsBotocorePicksThem() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(".aws/config", Self.config)
        let cases: [(String, String, [String: String])] = [
            ("ec2", "dev", [:]), ("sts", "dev", [:]), ("sso", "dev", [:]),
            ("ec2", "dev", ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"]),
            ("sts", "dev", ["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:5001"]),
            (
                "ec2", "dev",
                ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"]
            ),
            ("ec2", "quiet", [:]), ("sts", "quiet", ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"]),
        ]
        let expected = try await offThePool { try botocore(folder.path, cases) }
        for (index, (service, profile, extra)) in cases.enumerated() {
            var values = ["HOME": folder.path]
            values.merge(extra) { $1 }
            let environment = ProcessEnvironment(values)
            let endpoint = try EC2Endpoint.resolve(
                region: nil, endpoint: nil, environment: environment, profile: profile)
            let ours: String
            switch service {
            case "ec2": ours = endpoint.url.absoluteString
            case "sts":
                let context = CredentialContext(
                    environment: environment, transport: HTTPTransport(timeout: 5), region: endpoint.region,
                    variant: endpoint.variant)
                ours = try context.sts().endpoint.absoluteString
            default:
                ours = try ServiceEndpoint.url(
                    service: "portal.sso", envName: "SSO", region: endpoint.region, variant: endpoint.variant,
                    environment: environment
                ).absoluteString
            }
            #expect(
                ours == expected[index], "\(service) \(profile) \(extra): ours \(ours), botocore \(expected[index])")
            if service == "ec2" { #expect(endpoint.isCustom == !ours.hasPrefix("https://ec2.")) }
        }
        #expect(expected[0] == "http://127.0.0.1:4567" && expected[2] == "http://127.0.0.1:4566", "\(expected)")

        let error = #expect(throws: EndpointError.self) {
            try EC2Endpoint.resolve(
                region: nil, endpoint: nil, environment: ProcessEnvironment(["HOME": folder.path]), profile: "broken")
        }
        #expect(error?.reason.hasPrefix("the profile's services = missing names no [services missing] section") == true)
    }
}
