import Foundation

/// A service's endpoint as botocore picks it (its ConfiguredEndpointProvider): `AWS_ENDPOINT_URL_<SERVICE>`, else
/// `AWS_ENDPOINT_URL`, else the shared config's `[services NAME]` `SERVICE.endpoint_url`, else the profile's
/// `endpoint_url` (none of them with `ignore_configured_endpoint_urls`), else AWS's rules for the region. A
/// configured URL cannot be combined with FIPS or dual-stack (botocore refuses it too: the switches would be
/// silently ignored).
enum ServiceEndpoint {
    /// The endpoint configured for the service (`envName`: `EC2`, `STS`, `SSO`), nil when AWS's rules apply.
    static func configured(envName: String, environment: ProcessEnvironment, variant: EndpointVariant) -> String? {
        if variant.ignoreConfigured { return nil }
        return environment["AWS_ENDPOINT_URL_\(envName)"] ?? environment["AWS_ENDPOINT_URL"]
            ?? variant.configured[envName.lowercased()]
    }

    static func url(
        service: String, envName: String, region: String, variant: EndpointVariant, environment: ProcessEnvironment,
        explicit: String? = nil
    ) throws(EndpointError) -> URL {
        guard let text = explicit ?? configured(envName: envName, environment: environment, variant: variant) else {
            return try AWSEndpointRules.url(service: service, region: region, variant: variant)
        }
        if variant.fips || variant.dualStack {
            throw EndpointError(
                reason: "endpoint '\(text)' is configured and so is \(variant.fips ? "FIPS" : "dual-stack"): "
                    + "a custom endpoint cannot be combined with either")
        }
        return try checked(text)
    }

    /// An http(s) URL with a host and no query.
    static func checked(_ text: String) throws(EndpointError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil
        else {
            throw EndpointError(reason: "endpoint '\(text)' is not an http(s) URL without query")
        }
        return url
    }
}
