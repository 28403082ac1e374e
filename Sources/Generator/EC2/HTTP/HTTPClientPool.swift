import AsyncHTTPClient
import Foundation
import HostsCore
import Synchronization

/// The AsyncHTTPClient instances behind the transport: one per way out (direct, or each proxy the environment
/// names), made on first use, all on NIO's process-wide event loops, so passes reuse connections and threads.
final class HTTPClientPool: Sendable {
    private struct State {
        var clients: [ProxyServer?: HTTPClient] = [:]
        var shutDown = false
    }

    private let proxies: ProxySettings
    private let trust: TrustedRoots
    private let state = Mutex(State())

    init(proxies: ProxySettings, trust: TrustedRoots) {
        self.proxies = proxies
        self.trust = trust
    }

    /// The client that reaches `url` the way the environment says, and the proxy it goes through.
    func client(for url: URL) throws(HTTPTransportError) -> (HTTPClient, ProxyServer?) {
        let proxy: ProxyServer?
        do {
            proxy = try proxies.proxy(for: url)
        } catch {
            throw HTTPTransportError(url: url.absoluteString, reason: error.reason, isRetryable: false)
        }
        // A CA bundle that does not load fails the https requests; http ones do not use it.
        if url.scheme?.lowercased() == "https" { _ = try trust.tlsConfiguration() }
        let tls = (try? trust.tlsConfiguration()) ?? TrustedRoots.system
        let made: HTTPClient? = state.withLock { state in
            guard !state.shutDown else { return nil }
            if let existing = state.clients[proxy] { return existing }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.redirectConfiguration = .disallow
            configuration.decompression = .disabled
            configuration.proxy = proxy?.configuration
            // One connection attempt per request: the callers' retry policy decides about another.
            configuration.connectionPool.retryConnectionEstablishment = false
            let created = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            state.clients[proxy] = created
            return created
        }
        guard let made else {
            throw HTTPTransportError(
                url: url.absoluteString, reason: "the HTTP client is shut down", isRetryable: false)
        }
        return (made, proxy)
    }

    func shutdown() async {
        let clients = state.withLock { state in
            state.shutDown = true
            defer { state.clients = [:] }
            return Array(state.clients.values)
        }
        for client in clients { try? await client.shutdown() }
    }

    /// A transport dropped without ``shutdown()`` (a test's) still closes its clients; AsyncHTTPClient insists.
    deinit {
        let clients = state.withLock { Array($0.clients.values) }
        guard !clients.isEmpty else { return }
        Task { for client in clients { try? await client.shutdown() } }
    }
}
