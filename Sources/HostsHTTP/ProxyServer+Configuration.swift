import AsyncHTTPClient
import HostsCore

extension ProxyServer {
    /// What AsyncHTTPClient needs to go through this proxy (HostsCore chooses it from the environment).
    public var configuration: HTTPClient.Configuration.Proxy {
        switch kind {
        case .http:
            let authorization = user.map { HTTPClient.Authorization.basic(username: $0, password: password ?? "") }
            return .server(host: host, port: port, authorization: authorization)
        case .socks5:
            return .socksServer(host: host, port: port)
        }
    }
}
