import AsyncHTTPClient
import Foundation
import HostsCore

/// A proxy named by the environment: `http://[user:password@]host[:port]` or `socks5://host[:port]`.
struct ProxyServer: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        /// An HTTP proxy; AsyncHTTPClient tunnels every request through it with CONNECT, http ones included.
        case http
        case socks5
    }

    var kind: Kind
    var host: String
    var port: Int
    var user: String?
    var password: String?

    /// The variable's value parsed; `variable` names it in the error.
    init(parsing text: String, variable: String) throws(FetchError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // curl's rule: a proxy without a scheme is an HTTP proxy.
        let withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed
        let usage = "use http://HOST:PORT or socks5://HOST:PORT"
        guard let url = URL(string: withScheme), let scheme = url.scheme?.lowercased(), let host = url.host,
            !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil
        else {
            throw FetchError(reason: "\(variable)=\(Self.redacted(trimmed)) is not a proxy URL: \(usage)")
        }
        switch scheme {
        case "http": kind = .http
        case "socks5", "socks5h": kind = .socks5
        case "https":
            throw FetchError(reason: "\(variable): a TLS connection to the proxy (https://) is not supported: \(usage)")
        default:
            throw FetchError(reason: "\(variable): proxy scheme \(scheme) is not supported: \(usage)")
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        // curl's default proxy port.
        port = url.port ?? 1080
        user = url.user.map { $0.removingPercentEncoding ?? $0 }
        password = url.password.map { $0.removingPercentEncoding ?? $0 }
        if kind == .socks5 && user != nil {
            throw FetchError(reason: "\(variable): a SOCKS proxy with a user name is not supported: \(usage)")
        }
    }

    /// What AsyncHTTPClient needs to go through this proxy.
    var configuration: HTTPClient.Configuration.Proxy {
        switch kind {
        case .http:
            let authorization = user.map { HTTPClient.Authorization.basic(username: $0, password: password ?? "") }
            return .server(host: host, port: port, authorization: authorization)
        case .socks5:
            return .socksServer(host: host, port: port)
        }
    }

    /// Where it is, without the credentials: what messages show.
    var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "proxy \(address)"
    }

    /// The value with a password replaced, for the message about a value that does not parse.
    private static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        return "…" + text[at...]
    }
}

/// Which proxy, if any, a URL is fetched through, from the environment the way curl (which the client used
/// before) reads it, so an existing `Environment=https_proxy=…` keeps working:
/// - `http_proxy` (lower case only: an upper-case `HTTP_PROXY` can be set by a CGI request's `Proxy:` header, the
///   "httpoxy" attack) for http URLs, `https_proxy` or `HTTPS_PROXY` for https ones, `all_proxy`/`ALL_PROXY` for
///   both when the specific one is unset;
/// - `no_proxy`/`NO_PROXY`: `*`, or a comma list of host names (matching the name and its subdomains, a leading
///   dot optional), addresses and CIDR ranges.
///
/// A variable that does not parse is an error for the fetches it applies to, never a silent direct connection.
struct ProxySettings: Sendable {
    private var http: Result<ProxyServer?, FetchError>
    private var https: Result<ProxyServer?, FetchError>
    private var noProxyAll = false
    private var noProxyNames: [String] = []
    private var noProxyRanges: [CIDR] = []

    /// No proxy for anything.
    static let none = ProxySettings(environment: [:])

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ names: String...) -> (name: String, value: String)? {
            for name in names {
                if let value = environment[name], !value.trimmingCharacters(in: .whitespaces).isEmpty {
                    return (name, value)
                }
            }
            return nil
        }
        func server(_ entry: (name: String, value: String)?) -> Result<ProxyServer?, FetchError> {
            guard let entry else { return .success(nil) }
            return Result { () throws(FetchError) -> ProxyServer? in
                try ProxyServer(parsing: entry.value, variable: entry.name)
            }
        }
        http = server(value("http_proxy", "all_proxy", "ALL_PROXY"))
        https = server(value("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"))
        for entry in (value("no_proxy", "NO_PROXY")?.value ?? "").split(separator: ",") {
            let item = entry.trimmingCharacters(in: .whitespaces).lowercased()
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
    func proxy(for url: URL) throws(FetchError) -> ProxyServer? {
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
}
