import Foundation

/// Which proxy, if any, a URL is fetched through, from the environment the way curl reads it (hosts-client and
/// hosts-generator both used libcurl before, and AWS SDKs read the same variables), so an existing
/// `Environment=https_proxy=…` keeps working:
/// - `http_proxy` (lower case only: an upper-case `HTTP_PROXY` can be set by a CGI request's `Proxy:` header, the
///   "httpoxy" attack) for http URLs, `https_proxy` or `HTTPS_PROXY` for https ones, `all_proxy`/`ALL_PROXY` for
///   both when the specific one is unset;
/// - `no_proxy`/`NO_PROXY`: `*`, or a comma list of host names (matching the name and its subdomains, a leading
///   dot optional), addresses (IPv6 with or without brackets) and CIDR ranges.
///
/// A variable that does not parse is an error for the requests it applies to, never a silent direct connection.
/// Choosing only: each program turns a ``ProxyServer`` into its HTTP client's configuration.
public struct ProxySettings: Sendable {
    private var http: Result<ProxyServer?, ProxyError>
    private var https: Result<ProxyServer?, ProxyError>
    private var noProxyAll = false
    private var noProxyNames: [String] = []
    private var noProxyRanges: [CIDR] = []

    /// No proxy for anything.
    public static let none = ProxySettings(environment: [:])

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ names: String...) -> (name: String, value: String)? {
            for name in names {
                if let value = environment[name], !value.trimmingCharacters(in: .whitespaces).isEmpty {
                    return (name, value)
                }
            }
            return nil
        }
        func server(_ entry: (name: String, value: String)?) -> Result<ProxyServer?, ProxyError> {
            guard let entry else { return .success(nil) }
            return Result { () throws(ProxyError) -> ProxyServer? in
                try ProxyServer(parsing: entry.value, variable: entry.name)
            }
        }
        http = server(value("http_proxy", "all_proxy", "ALL_PROXY"))
        https = server(value("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"))
        for entry in (value("no_proxy", "NO_PROXY")?.value ?? "").split(separator: ",") {
            let item = Self.unbracketed(entry.trimmingCharacters(in: .whitespaces).lowercased())
            if item == "*" {
                noProxyAll = true
            } else if item.first?.isNumber == true || item.contains(":"), let range = try? CIDR(parsing: item) {
                noProxyRanges.append(range)
            } else if !item.isEmpty {
                noProxyNames.append(item.hasPrefix(".") ? String(item.dropFirst()) : item)
            }
        }
    }

    /// The proxy for `url`, nil for a direct connection.
    public func proxy(for url: URL) throws(ProxyError) -> ProxyServer? {
        let chosen = url.scheme?.lowercased() == "https" ? https : http
        guard let server = try chosen.get(), let host = url.host?.lowercased() else { return nil }
        return bypasses(host) ? nil : server
    }

    private func bypasses(_ rawHost: String) -> Bool {
        if noProxyAll { return true }
        let host = rawHost.hasPrefix("[") ? String(rawHost.dropFirst().dropLast()) : rawHost
        if let address = try? IPAddress(parsing: host) {
            return noProxyRanges.contains { $0.contains(address) } || noProxyNames.contains(host)
        }
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        return noProxyNames.contains { name == $0 || name.hasSuffix("." + $0) }
    }

    /// `[::1]`, `[fd00::]/8` and `[::1]:8080` as written in URLs: the address (and range) without the brackets; a
    /// port says nothing about which host is meant and is dropped, as curl does.
    private static func unbracketed(_ item: String) -> String {
        guard item.hasPrefix("["), let close = item.firstIndex(of: "]") else { return item }
        let inner = item[item.index(after: item.startIndex)..<close]
        let rest = item[item.index(after: close)...]
        return rest.hasPrefix("/") ? String(inner + rest) : String(inner)
    }
}
