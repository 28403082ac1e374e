import Foundation

/// Where and how one source is queried, after applying the environment fallbacks.
struct EC2Endpoint: Sendable, Equatable {
    var url: URL
    var region: String
    /// Whether the URL was configured (the source's `endpoint:`, `AWS_ENDPOINT_URL_EC2`, `AWS_ENDPOINT_URL`) rather
    /// than made by AWS's rules: such an endpoint (moto, LocalStack, a proxy) is not AWS, so the generator does not
    /// ask AWS's STS who the keys belong to.
    var isCustom = false
    /// The FIPS / dual-stack switches in force (STS and SSO calls for the source follow them too).
    var variant = EndpointVariant()

    /// The Host header value curl will send (and so the one to sign): host, plus the port when not the default.
    var hostHeader: String {
        var host = url.host ?? ""
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        if let port = url.port, !(url.scheme == "http" && port == 80), !(url.scheme == "https" && port == 443) {
            return "\(host):\(port)"
        }
        return host
    }

    /// The path as sent on the wire (percent-encoded, trailing slash kept): the endpoint's base path, "/" when it
    /// has none.
    var path: String {
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
        return path.isEmpty ? "/" : path
    }

    /// Region: the source's, else `AWS_REGION`, `AWS_DEFAULT_REGION`, the shared config profile's `region` (the
    /// source's `profile:`, else `AWS_PROFILE` or `default`).
    /// Endpoint: the source's, else `AWS_ENDPOINT_URL_EC2`, `AWS_ENDPOINT_URL`, the profile's `[services NAME]`
    /// `ec2.endpoint_url`, its `endpoint_url` (unless `ignore_configured_endpoint_urls`), else AWS's rules for the region's
    /// partition, FIPS and dual-stack as `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT` or the profile's
    /// `use_fips_endpoint` / `use_dualstack_endpoint` say.
    static func resolve(
        region: String?, endpoint: String?, environment: ProcessEnvironment, profile: String? = nil
    ) throws(EndpointError) -> EC2Endpoint {
        let files = SharedConfigFiles(environment: environment)
        let settings = files.profile(profile ?? SharedConfigFiles.defaultProfile(environment).name) ?? [:]
        guard
            let region = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"]
                ?? settings["region"].flatMap({ $0.isEmpty ? nil : $0 })
        else {
            throw EndpointError(reason: "no region: set 'region' on the source, or AWS_REGION / AWS_DEFAULT_REGION")
        }
        guard AWSEndpointRules.isValidRegion(region) else {
            throw EndpointError(reason: "region '\(region)' is not a region name (lower-case letters, digits and '-')")
        }
        var services: [String: String] = [:]
        if let name = settings["services"], !name.isEmpty {
            guard let section = files.services(name) else {
                throw EndpointError(
                    reason:
                        "the profile's services = \(name) names no [services \(name)] section in \(files.configPath)")
            }
            services = section
        }
        let variant = try EndpointVariant.from(environment: environment, profile: settings, services: services)
        let url = try ServiceEndpoint.url(
            service: "ec2", envName: "EC2", region: region, variant: variant, environment: environment,
            explicit: endpoint)
        let custom =
            endpoint != nil
            || ServiceEndpoint.configured(envName: "EC2", environment: environment, variant: variant) != nil
        return EC2Endpoint(url: url, region: region, isCustom: custom, variant: variant)
    }
}

struct EndpointError: Error, CustomStringConvertible, Sendable {
    var reason: String
    var description: String { reason }
}
