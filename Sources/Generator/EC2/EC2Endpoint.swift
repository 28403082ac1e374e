import Foundation

/// Where and how one source is queried, after applying the environment fallbacks.
struct EC2Endpoint: Sendable, Equatable {
    var url: URL
    var region: String

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

    /// Region: the source's, else `AWS_REGION`, `AWS_DEFAULT_REGION`, the shared config profile's `region`.
    /// Endpoint: the source's, else `AWS_ENDPOINT_URL_EC2`, `AWS_ENDPOINT_URL`, else AWS's regional endpoint.
    static func resolve(
        region: String?, endpoint: String?, environment: ProcessEnvironment
    ) throws(EndpointError) -> EC2Endpoint {
        guard
            let region = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"]
                ?? SharedFileCredentialsProvider(environment: environment).region()
        else {
            throw EndpointError(reason: "no region: set 'region' on the source, or AWS_REGION / AWS_DEFAULT_REGION")
        }
        let text =
            endpoint ?? environment["AWS_ENDPOINT_URL_EC2"] ?? environment["AWS_ENDPOINT_URL"]
            ?? "https://ec2.\(region).\(region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com")"
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil
        else {
            throw EndpointError(reason: "endpoint '\(text)' is not an http(s) URL without query")
        }
        return EC2Endpoint(url: url, region: region)
    }
}

struct EndpointError: Error, CustomStringConvertible, Sendable {
    var reason: String
    var description: String { reason }
}
