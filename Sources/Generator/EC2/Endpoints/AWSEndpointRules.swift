import Foundation

/// The FIPS and dual-stack switches, from `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT`, else the shared
/// config profile's `use_fips_endpoint` / `use_dualstack_endpoint`, and STS's `AWS_STS_REGIONAL_ENDPOINTS` /
/// `sts_regional_endpoints` (as botocore reads them: the environment first).
struct EndpointVariant: Sendable, Equatable {
    var fips = false
    var dualStack = false
    /// `sts_regional_endpoints = legacy`: STS in the regions that had no regional endpoint of their own at first
    /// (``AWSEndpointRules/legacyGlobalSTSRegions``) goes to the global `sts.amazonaws.com`. botocore's default,
    /// and ours, is `regional`.
    var legacySTS = false
    /// Endpoints the shared config gives, by service key (`ec2`, `sts`, `sso`): its `[services NAME]` section's
    /// `SERVICE.endpoint_url`, else the profile's `endpoint_url`. The environment's `AWS_ENDPOINT_URL_*` win over
    /// them (``ServiceEndpoint/configured(envName:environment:variant:)``).
    var configured: [String: String] = [:]
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` / `ignore_configured_endpoint_urls`: neither the environment's nor the
    /// shared config's endpoints are used.
    var ignoreConfigured = false

    static func from(
        environment: ProcessEnvironment, profile: [String: String], services: [String: String] = [:]
    ) throws(EndpointError) -> EndpointVariant {
        var variant = EndpointVariant()
        if let value = try flag(
            environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"], "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        {
            variant.ignoreConfigured = value
        } else if let value = try flag(
            profile["ignore_configured_endpoint_urls"], "ignore_configured_endpoint_urls in the shared config")
        {
            variant.ignoreConfigured = value
        }
        for service in ["ec2", "sts", "sso"] {
            if let url = services["\(service).endpoint_url"].flatMap({ $0.isEmpty ? nil : $0 })
                ?? profile["endpoint_url"].flatMap({ $0.isEmpty ? nil : $0 })
            {
                variant.configured[service] = url
            }
        }
        if let value = try flag(environment["AWS_USE_FIPS_ENDPOINT"], "AWS_USE_FIPS_ENDPOINT") {
            variant.fips = value
        } else if let value = try flag(profile["use_fips_endpoint"], "use_fips_endpoint in the shared config") {
            variant.fips = value
        }
        if let value = try flag(environment["AWS_USE_DUALSTACK_ENDPOINT"], "AWS_USE_DUALSTACK_ENDPOINT") {
            variant.dualStack = value
        } else if let value = try flag(profile["use_dualstack_endpoint"], "use_dualstack_endpoint in the shared config")
        {
            variant.dualStack = value
        }
        let (stsName, stsValue) =
            environment["AWS_STS_REGIONAL_ENDPOINTS"].map { ("AWS_STS_REGIONAL_ENDPOINTS", $0) }
            ?? ("sts_regional_endpoints in the shared config", profile["sts_regional_endpoints"] ?? "")
        switch stsValue {
        case "", "regional": variant.legacySTS = false
        case "legacy": variant.legacySTS = true
        default: throw EndpointError(reason: "\(stsName) must be legacy or regional (got '\(stsValue)')")
        }
        return variant
    }

    private static func flag(_ text: String?, _ name: String) throws(EndpointError) -> Bool? {
        guard let text else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw EndpointError(reason: "\(name) must be true or false (got '\(text)')")
        }
    }
}

/// AWS's endpoint rules for the Query services the generator calls (EC2, STS) and the SSO portal, as botocore's
/// rule sets state them: `{service}[-fips].{region}.{dnsSuffix or dualStackDnsSuffix}` of the region's partition,
/// with GovCloud's FIPS endpoints at the plain name. STS is regional (botocore's default since
/// `sts_regional_endpoints` became `regional`).
enum AWSEndpointRules {
    /// The host for `service` (`ec2`, `sts`, `portal.sso`) in `region`.
    static func host(service: String, region: String, variant: EndpointVariant) throws(EndpointError) -> String {
        guard isValidRegion(region) else {
            throw EndpointError(reason: "region '\(region)' is not a region name (letters, digits and '-')")
        }
        // The one region-specific rule in the rule sets: STS's global endpoint, for its pseudo-region and, with
        // `legacy`, for the legacy regions.
        if usesGlobalSTS(service: service, region: region, variant: variant) { return "sts.amazonaws.com" }
        let partition = AWSPartition.of(region: region)
        switch (variant.fips, variant.dualStack) {
        case (true, true):
            guard partition.supportsFIPS, partition.supportsDualStack else {
                throw EndpointError(reason: "FIPS and dual-stack: partition \(partition.id) does not support both")
            }
            return "\(fipsName(service)).\(region).\(partition.dualStackDnsSuffix)"
        case (true, false):
            guard partition.supportsFIPS else {
                throw EndpointError(reason: "FIPS: partition \(partition.id) has no FIPS endpoints")
            }
            if partition.id == "aws-us-gov" { return "\(service).\(region).amazonaws.com" }
            return "\(fipsName(service)).\(region).\(partition.dnsSuffix)"
        case (false, true):
            guard partition.supportsDualStack else {
                throw EndpointError(reason: "dual-stack: partition \(partition.id) has no dual-stack endpoints")
            }
            return "\(service).\(region).\(partition.dualStackDnsSuffix)"
        case (false, false):
            return "\(service).\(region).\(partition.dnsSuffix)"
        }
    }

    /// The regions botocore sends to the global STS endpoint with `sts_regional_endpoints = legacy`
    /// (`LEGACY_GLOBAL_STS_REGIONS` in botocore/args.py; the STS rule set's `UseGlobalEndpoint` lists the same).
    static let legacyGlobalSTSRegions: Set<String> = [
        "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
        "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2",
        "us-west-1", "us-west-2",
    ]

    /// Whether the rules pick `sts.amazonaws.com`: never with FIPS or dual-stack.
    static func usesGlobalSTS(service: String, region: String, variant: EndpointVariant) -> Bool {
        guard service == "sts", !variant.fips, !variant.dualStack else { return false }
        return region == "aws-global" || (variant.legacySTS && legacyGlobalSTSRegions.contains(region))
    }

    /// The region a request to the rules' endpoint is signed for: us-east-1 at the global STS endpoint.
    static func signingRegion(service: String, region: String, variant: EndpointVariant) -> String {
        usesGlobalSTS(service: service, region: region, variant: variant) ? "us-east-1" : region
    }

    /// `https://HOST`, the service's endpoint URL.
    static func url(service: String, region: String, variant: EndpointVariant) throws(EndpointError) -> URL {
        let host = try host(service: service, region: region, variant: variant)
        guard let url = URL(string: "https://\(host)") else { throw EndpointError(reason: "bad host '\(host)'") }
        return url
    }

    /// `ec2` → `ec2-fips`; `portal.sso` → `portal.sso-fips` (the suffix goes on the last label of the prefix).
    private static func fipsName(_ service: String) -> String { service + "-fips" }

    /// Region names are DNS labels joined by "-": anything else would make a host name out of arbitrary text.
    static func isValidRegion(_ region: String) -> Bool {
        !region.isEmpty && region.count <= 63 && region.first != "-" && region.last != "-"
            && region.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }
}
