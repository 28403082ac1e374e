import Foundation

/// A proxy variable that does not parse: the message names the variable, never its password.
public struct ProxyError: Error, CustomStringConvertible, Equatable, Sendable {
    public var reason: String
    public var description: String { reason }

    public init(reason: String) { self.reason = reason }
}

/// A proxy named by the environment: `http://[user:password@]host[:port]` or `socks5://host[:port]`.
public struct ProxyServer: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// An HTTP proxy; AsyncHTTPClient tunnels every request through it with CONNECT, http ones included.
        case http
        case socks5
    }

    public var kind: Kind
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?

    /// The variable's value parsed; `variable` names it in the error.
    public init(parsing text: String, variable: String) throws(ProxyError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // curl's rule: a proxy without a scheme is an HTTP proxy.
        let withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed
        let usage = "use http://HOST:PORT or socks5://HOST:PORT"
        guard let url = URL(string: withScheme), let scheme = url.scheme?.lowercased(), let host = url.host,
            !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil
        else {
            throw ProxyError(reason: "\(variable)=\(Self.redacted(trimmed)) is not a proxy URL: \(usage)")
        }
        switch scheme {
        case "http": kind = .http
        case "socks5", "socks5h": kind = .socks5
        case "https":
            throw ProxyError(reason: "\(variable): a TLS connection to the proxy (https://) is not supported: \(usage)")
        default:
            throw ProxyError(reason: "\(variable): proxy scheme \(scheme) is not supported: \(usage)")
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        // curl's default proxy port.
        port = url.port ?? 1080
        user = url.user.map { $0.removingPercentEncoding ?? $0 }
        password = url.password.map { $0.removingPercentEncoding ?? $0 }
        if kind == .socks5 && user != nil {
            throw ProxyError(reason: "\(variable): a SOCKS proxy with a user name is not supported: \(usage)")
        }
    }

    /// Where it is, without the credentials: what messages show.
    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "proxy \(address)"
    }

    /// The value with a password replaced, for the message about a value that does not parse.
    private static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        return "…" + text[at...]
    }
}
