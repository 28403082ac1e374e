import Foundation
import TestSupport
import Testing

@testable import Generator

/// The hostnames hosts-generator makes for EC2, STS and the SSO portal, compared with botocore's endpoint rule
/// sets for every partition (each listed region and an unlisted one of each partition's shape), FIPS and
/// dual-stack on and off. The expected table is computed at test time by `scripts/aws-endpoint-table.py` with
/// the installed botocore (the one moto's seeding scripts use).
@Suite(.enabled(if: MotoServer.canRun, "botocore (with moto) not installed"))
struct EndpointTableTests {
    struct Case: Codable {
        var service: String
        var region: String
        var fips: Bool
        var dualstack: Bool
        var legacy: Bool? = nil
        var url: String?
        var signingRegion: String? = nil
        var error: String?

        enum CodingKeys: String, CodingKey {
            case service, region, fips, dualstack, legacy, url, error
            case signingRegion = "signing_region"
        }
    }

    struct Table: Decodable {
        var botocore: String
        var cases: [Case]
    }

    static let unlisted = [
        "us-west-9", "ap-northeast-9", "cn-south-7", "us-gov-central-1", "us-iso-north-5", "us-isob-south-3",
        "eu-isoe-north-2", "us-isof-west-4", "eusc-de-west-2", "eusc-fr-east-1", "mars-1", "us-iso-east",
    ]

    func botocoreTable(_ cases: [Case]) throws -> Table {
        let input = NSTemporaryDirectory() + "endpoint-cases-\(UUID().uuidString).json"
        try JSONEncoder().encode(cases).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        let result = try BuiltProducts.run(
            "/bin/sh",
            ["-c", "python3 \"$0\" < \"$1\"", BuiltProducts.packageRoot + "/scripts/aws-endpoint-table.py", input])
        guard result.status == 0 else { throw MotoSeeder.Failed(description: "botocore table: \(result.stderr)") }
        return try JSONDecoder().decode(Table.self, from: Data(result.stdout.utf8))
    }

    @Test func hostnamesMatchBotocoreForEveryPartition() async throws {
        let regions = AWSPartition.all.flatMap { $0.regions.sorted() } + Self.unlisted
        var cases: [Case] = []
        for service in ["ec2", "sts", "sso"] {
            for region in regions {
                for (fips, dualstack) in [(false, false), (true, false), (false, true), (true, true)] {
                    cases.append(Case(service: service, region: region, fips: fips, dualstack: dualstack))
                }
            }
        }
        let all = cases
        let table = try await offThePool { try botocoreTable(all) }
        #expect(table.cases.count == cases.count)
        var compared = 0
        for expected in table.cases {
            let variant = EndpointVariant(fips: expected.fips, dualStack: expected.dualstack)
            let service = expected.service == "sso" ? "portal.sso" : expected.service
            let ours: String
            do {
                ours = try AWSEndpointRules.url(service: service, region: expected.region, variant: variant)
                    .absoluteString
            } catch {
                ours = "error: \(error)"
            }
            let theirs = expected.url ?? "error: \(expected.error ?? "")"
            #expect(
                ours.hasPrefix("error") ? theirs.hasPrefix("error") : ours == theirs,
                "\(expected.service) \(expected.region) fips=\(expected.fips) dualstack=\(expected.dualstack): ours \(ours), botocore \(table.botocore) \(theirs)"
            )
            compared += 1
        }
        #expect(compared > 500)
        #expect(AWSPartition.of(region: "us-isof-south-1").id == "aws-iso-f")
        #expect(AWSPartition.of(region: "eusc-de-east-1").id == "aws-eusc")
    }

    /// `sts_regional_endpoints = legacy`: the global endpoint (signed for us-east-1) for botocore's legacy regions,
    /// regional for the rest and whenever FIPS or dual-stack is on; signing regions compared too.
    @Test func legacySTSEndpointsMatchBotocore() async throws {
        let regions = AWSPartition.all.flatMap { $0.regions.sorted() } + Self.unlisted + ["aws-global"]
        var cases: [Case] = []
        for region in regions {
            for (fips, dualstack) in [(false, false), (true, false), (false, true)] {
                for legacy in [false, true] {
                    cases.append(Case(service: "sts", region: region, fips: fips, dualstack: dualstack, legacy: legacy))
                }
            }
        }
        let all = cases
        let table = try await offThePool { try botocoreTable(all) }
        #expect(table.cases.count == cases.count)
        var global = 0
        for expected in table.cases where expected.url != nil {
            let variant = EndpointVariant(
                fips: expected.fips, dualStack: expected.dualstack, legacySTS: expected.legacy == true)
            let ours = try? AWSEndpointRules.url(service: "sts", region: expected.region, variant: variant)
            let place =
                "\(expected.region) fips=\(expected.fips) dualstack=\(expected.dualstack) legacy=\(expected.legacy == true)"
            #expect(ours?.absoluteString == expected.url, "\(place): ours \(String(describing: ours))")
            #expect(
                AWSEndpointRules.signingRegion(service: "sts", region: expected.region, variant: variant)
                    == expected.signingRegion, "\(place)")
            if expected.url == "https://sts.amazonaws.com" && expected.region != "aws-global" { global += 1 }
        }
        #expect(global == AWSEndpointRules.legacyGlobalSTSRegions.count - 1, "each legacy region but aws-global once")
    }

    /// Where the STS switch is read: the environment over the profile's `sts_regional_endpoints`; only `legacy`
    /// and `regional` are values (botocore refuses others too).
    @Test func stsRegionalEndpointsSetting() throws {
        let none: [String: String] = [:]
        #expect(try EndpointVariant.from(environment: ProcessEnvironment([:]), profile: none).legacySTS == false)
        #expect(
            try EndpointVariant.from(
                environment: ProcessEnvironment([:]), profile: ["sts_regional_endpoints": "legacy"]
            )
            .legacySTS)
        #expect(
            try EndpointVariant.from(
                environment: ProcessEnvironment(["AWS_STS_REGIONAL_ENDPOINTS": "regional"]),
                profile: ["sts_regional_endpoints": "legacy"]
            ).legacySTS == false)
        #expect(
            try EndpointVariant.from(
                environment: ProcessEnvironment(["AWS_STS_REGIONAL_ENDPOINTS": "legacy"]), profile: none
            )
            .legacySTS)
        let error = #expect(throws: EndpointError.self) {
            try EndpointVariant.from(
                environment: ProcessEnvironment(["AWS_STS_REGIONAL_ENDPOINTS": "Legacy"]), profile: none)
        }
        #expect(error?.reason == "AWS_STS_REGIONAL_ENDPOINTS must be legacy or regional (got 'Legacy')")
        let context = CredentialContext(
            environment: ProcessEnvironment([:]), transport: HTTPTransport(timeout: 5), region: "ap-northeast-1",
            variant: EndpointVariant(legacySTS: true))
        let sts = try context.sts()
        #expect(sts.endpoint.absoluteString == "https://sts.amazonaws.com")
        #expect(sts.region == "us-east-1")
        var configured = context
        configured.environment = ProcessEnvironment(["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9"])
        #expect(try configured.sts().region == "ap-northeast-1", "a configured endpoint is signed for the region")
    }

    @Test func sourcesFollowTheEnvironmentAndSharedConfigSwitches() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(
            ".aws/config", "[default]\nuse_dualstack_endpoint = true\n[profile gov]\nuse_fips_endpoint = true\n")
        let home = ["HOME": folder.path]
        func url(_ region: String, _ extra: [String: String] = [:], profile: String? = nil) throws -> String {
            try EC2Endpoint.resolve(
                region: region, endpoint: nil, environment: ProcessEnvironment(home.merging(extra) { $1 }),
                profile: profile
            ).url.absoluteString
        }
        #expect(try url("eu-west-1") == "https://ec2.eu-west-1.api.aws")
        #expect(try url("us-gov-west-1", profile: "gov") == "https://ec2.us-gov-west-1.amazonaws.com")
        #expect(try url("eu-west-1", profile: "gov") == "https://ec2-fips.eu-west-1.amazonaws.com")
        #expect(
            try url("cn-north-1", ["AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "false"])
                == "https://ec2-fips.cn-north-1.amazonaws.com.cn")
        #expect(
            try url("us-iso-east-1", ["AWS_USE_DUALSTACK_ENDPOINT": "false"]) == "https://ec2.us-iso-east-1.c2s.ic.gov")
        #expect(throws: EndpointError.self) { try url("eu-west-1", ["AWS_USE_FIPS_ENDPOINT": "yes"]) }
        // A configured endpoint and a FIPS/dual-stack switch: refused, as botocore refuses it.
        #expect(throws: EndpointError.self) {
            try url("eu-west-1", ["AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:1"])
        }
        #expect(throws: EndpointError.self) { try url("EU-WEST-1", ["AWS_USE_DUALSTACK_ENDPOINT": "false"]) }
    }
}
