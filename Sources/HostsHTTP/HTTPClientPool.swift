import AsyncHTTPClient
import Foundation
import HostsCore
import NIOCore
import Synchronization

/// The AsyncHTTPClient instances of one program's HTTP stack: one per way out (direct, or each proxy the
/// environment names), made on first use from one configuration, all on NIO's process-wide event loops.
///
/// AsyncHTTPClient takes the proxy from its configuration, while `no_proxy` and the scheme choose it per URL, so
/// one client cannot serve every URL. Call ``shutdown()`` when done; a request after it fails.
public final class HTTPClientPool: Sendable {
    private struct State {
        var clients: [ProxyServer?: HTTPClient] = [:]
        var shutDown = false
    }

    private let configuration: HTTPClient.Configuration
    private let proxies: ProxySettings
    private let state = Mutex(State())

    /// `configuration`'s proxy is replaced by the one `proxies` chooses for each URL.
    public init(configuration: HTTPClient.Configuration, proxies: ProxySettings) {
        self.configuration = configuration
        self.proxies = proxies
    }

    /// The client that reaches `url` the way the environment says, and the proxy it goes through.
    public func client(for url: URL) throws(TransferFailure) -> (HTTPClient, ProxyServer?) {
        let proxy: ProxyServer?
        do {
            proxy = try proxies.proxy(for: url)
        } catch {
            throw TransferFailure(kind: .unusable, reason: error.reason, server: TransferFailure.origin(of: url))
        }
        let made: HTTPClient? = state.withLock { state in
            guard !state.shutDown else { return nil }
            if let existing = state.clients[proxy] { return existing }
            var configuration = self.configuration
            configuration.proxy = proxy?.configuration
            let created = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            state.clients[proxy] = created
            return created
        }
        guard let made else {
            throw TransferFailure(
                kind: .unusable, reason: "the HTTP client is shut down", server: TransferFailure.origin(of: url))
        }
        return (made, proxy)
    }

    /// Sends `request` and collects its answer into `collector` by `deadline`, the awaiting task's cancellation
    /// cancelling it. `timeout` is what the deadline was set from, for the message when it passes.
    public func execute(
        _ request: HTTPClient.Request, collector: CappedBodyCollector, deadline: NIODeadline, timeout: Interval
    ) async throws(TransferFailure) -> CappedBodyCollector.Collected {
        let (client, proxy) = try client(for: request.url)
        let task = client.execute(request: request, delegate: collector, deadline: deadline)
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw TransferFailure(error, collector: collector, url: request.url, timeout: timeout, proxy: proxy)
        }
    }

    /// Closes every connection and lets the clients go, without waiting for them.
    ///
    /// Not awaited, on purpose: a connection attempt still resolving its host waits in getaddrinfo (on NIO's
    /// blocking pool, where nothing can interrupt it) for as long as the network's DNS makes it — a silent resolver
    /// holds it 10 s with glibc's defaults, up to 150 s as resolv.conf allows — and a client's shutdown waits for
    /// it, long after the request's own deadline has failed it. Nothing uses the clients after this; a resolution
    /// that returns late finds them shut down.
    public func shutdown() {
        let clients = state.withLock { state in
            state.shutDown = true
            defer { state.clients = [:] }
            return Array(state.clients.values)
        }
        for client in clients { Task { try? await client.shutdown() } }
    }

    /// A pool dropped without ``shutdown()`` (a test's) still closes its clients; AsyncHTTPClient insists.
    deinit {
        let clients = state.withLock { Array($0.clients.values) }
        guard !clients.isEmpty else { return }
        Task { for client in clients { try? await client.shutdown() } }
    }
}
