import AsyncHTTPClient
import Foundation
import HostsCore
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import NIOSSL
import Synchronization

/// The client's one HTTP stack: conditional GETs of remote segments (and their signatures) over AsyncHTTPClient.
///
/// Every rule a server must not be able to break lives here, the same for http, https and `--ca-file` segments:
/// one deadline for the whole fetch (connect, TLS, every redirect, headers and the complete body); a body cap
/// counted as the body streams in, after gzip/deflate decoding; redirects by ``RedirectRules``; TLS 1.2 or later;
/// a 304 only as an answer to a validator. Content validation (StrictParser) is the caller's job, so that it can
/// name the segment.
///
/// One per command (the decoded-size cap is a client setting); call ``shutdown()`` when done, or use
/// ``with(maxBytes:_:)``.
final class RemoteFetcher: Sendable {
    /// One client per way out (direct, or each proxy the environment names): AsyncHTTPClient takes the proxy from
    /// its configuration, while `no_proxy` and the scheme choose it per URL.
    private let clients: Mutex<[ProxyServer?: HTTPClient]>
    private let configuration: HTTPClient.Configuration
    private let proxies: ProxySettings

    init(maxBytes: Int, proxies: ProxySettings = ProxySettings()) {
        var configuration = HTTPClient.Configuration(tlsConfiguration: Self.tls(trusting: nil))
        // Redirects are followed by hand: AsyncHTTPClient's own following would forward the Authorization header.
        configuration.redirectConfiguration = .disallow
        // The decompressor stops at the cap by itself, before a bomb's expansion reaches memory.
        configuration.decompression = .enabled(limit: .size(maxBytes))
        // One attempt per fetch: a refused connection or failed handshake is an answer, not something to retry
        // until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.configuration = configuration
        self.proxies = proxies
        clients = Mutex([:])
    }

    /// The client that reaches `url` the way the environment says.
    private func httpClient(for url: URL) throws(FetchError) -> (HTTPClient, ProxyServer?) {
        let proxy: ProxyServer?
        do {
            proxy = try proxies.proxy(for: url)
        } catch {
            throw FetchError(reason: error.reason)
        }
        let client = clients.withLock { clients in
            if let existing = clients[proxy] { return existing }
            var configuration = self.configuration
            configuration.proxy = proxy?.configuration
            let created = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[proxy] = created
            return created
        }
        return (client, proxy)
    }

    func shutdown() async {
        for client in clients.withLock({ Array($0.values) }) { try? await client.shutdown() }
    }

    /// Runs `body` with a fetcher and shuts it down afterwards, whatever `body` does.
    static func with<T>(maxBytes: Int, _ body: (RemoteFetcher) async throws -> T) async throws -> T {
        let fetcher = RemoteFetcher(maxBytes: maxBytes)
        do {
            let result = try await body(fetcher)
            await fetcher.shutdown()
            return result
        } catch {
            await fetcher.shutdown()
            throw error
        }
    }

    /// When a fetch that starts now must be over.
    static func deadline(for limits: FetchLimits) -> NIODeadline {
        .now() + .milliseconds(Int64((limits.timeout.seconds * 1000).rounded()))
    }

    /// GETs `url`, sending `If-None-Match: etag` (or `If-Modified-Since`) when there is a cached copy.
    /// `ca`: trust only the CA(s) of this `--ca-file` bundle (an https URL only). `token`: sent as
    /// `Authorization: Bearer TOKEN`, to the URL's own origin only.
    func fetch(
        _ url: String, etag: String?, lastModified: String?, limits: FetchLimits, ca: CABundle? = nil,
        token: String? = nil, deadline: NIODeadline
    ) async throws(FetchError) -> FetchAnswer {
        guard let original = URL(string: url), let scheme = original.scheme?.lowercased(),
            scheme == "http" || scheme == "https", original.host != nil
        else { throw FetchError(reason: "invalid URL \(url): use http:// or https://") }
        let caFile = ca?.path
        if caFile != nil && scheme != "https" {
            throw FetchError(reason: "--ca-file needs an https:// URL, not \(url)")
        }
        let tls = ca.map { Self.tls(trusting: $0.certificates) }
        let rules = RedirectRules(original: original, caFile: caFile)
        let sentValidator = etag != nil || lastModified != nil

        var current = original
        var hops: [Int] = []
        while true {
            var headers = HTTPHeaders()
            headers.add(name: "User-Agent", value: "hosts-client (PseudoDNS)")
            headers.add(name: "Accept", value: "text/plain")
            headers.add(name: "Accept-Encoding", value: "gzip, deflate")
            if let etag { headers.add(name: "If-None-Match", value: etag) }
            if let lastModified, etag == nil { headers.add(name: "If-Modified-Since", value: lastModified) }
            if let token, rules.sendsToken(to: current) { headers.add(name: "Authorization", value: "Bearer \(token)") }

            let answer = try await execute(
                current, headers: headers, tls: tls, limits: limits, deadline: deadline,
                caFile: caFile)
            if RedirectRules.statuses.contains(answer.status) {
                current = try rules.next(
                    from: current, status: answer.status, location: answer.headers.first(name: "Location"),
                    followed: hops.count)
                hops.append(answer.status)
                continue
            }
            let response = try Self.classify(
                status: answer.status, header: { answer.headers.first(name: $0) }, body: answer.body,
                sentValidator: sentValidator)
            let redirect =
                hops.isEmpty
                ? nil
                : FetchRedirect(location: current.absoluteString, permanent: hops.allSatisfy { $0 == 301 || $0 == 308 })
            let chosen = answer.headers.first(name: "X-PseudoDNS-Profile").flatMap {
                ProfileName.isValid($0) ? $0 : nil
            }
            return FetchAnswer(response: response, redirect: redirect, viewProfile: chosen)
        }
    }

    /// The status a GET of `url` answers within the limits, redirects not followed and the body not kept: the
    /// `reachable=` canary of a `--when` rule.
    func probe(_ url: String, limits: FetchLimits) async -> Result<Int, FetchError> {
        guard let target = URL(string: url) else { return .failure(FetchError(reason: "invalid URL \(url)")) }
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: "hosts-client (PseudoDNS)")
        let collector = BodyCollector(maxBytes: limits.maxBytes) { _ in false }
        do {
            let answer = try await execute(
                target, headers: headers, tls: nil, limits: limits, deadline: Self.deadline(for: limits), caFile: nil,
                collector: collector)
            return .success(answer.status)
        } catch {
            // A canary whose body runs long or breaks off still answered with its status.
            if let status = collector.status { return .success(status) }
            return .failure(error)
        }
    }

    private func execute(
        _ url: URL, headers: HTTPHeaders, tls: TLSConfiguration?, limits: FetchLimits, deadline: NIODeadline,
        caFile: String?, collector given: BodyCollector? = nil
    ) async throws(FetchError) -> BodyCollector.Collected {
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: .GET, headers: headers, tlsConfiguration: tls)
        } catch {
            throw FetchError(reason: "invalid URL \(url): \(error)")
        }
        let (client, proxy) = try httpClient(for: url)
        let collector =
            given
            ?? BodyCollector(maxBytes: limits.maxBytes) {
                !RedirectRules.statuses.contains(Int($0.status.code))
            }
        let task = client.execute(request: request, delegate: collector, deadline: deadline)
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw Self.describe(
                error, phase: collector.phase, url: url, limits: limits, caFile: caFile, proxy: proxy)
        }
    }

    /// 304 → not modified (only after a validator was sent); 200 → content (unless it is an HTML page); anything
    /// else → an error naming the status.
    static func classify(status: Int, header: (String) -> String?, body: [UInt8], sentValidator: Bool)
        throws(FetchError) -> FetchResponse
    {
        switch status {
        case 304:
            guard sentValidator else {
                throw FetchError(reason: "304 Not Modified to a request without a validator (nothing cached)")
            }
            return .notModified
        case 200:
            break
        default:
            let text = HTTPResponseStatus(statusCode: status).reasonPhrase
            throw FetchError(reason: "HTTP \(status) \(text)", status: status)
        }
        let contentType = (header("Content-Type") ?? "").lowercased()
        if contentType.hasPrefix("text/html") || contentType.hasPrefix("application/xhtml") {
            throw FetchError(
                reason: "server sent \(contentType.split(separator: ";").first ?? "html"), not a hosts file")
        }
        return .content(bytes: body, etag: header("ETag"), lastModified: header("Last-Modified"))
    }

    // MARK: TLS

    /// TLS 1.2 at least (RFC 8996); `roots` replaces the system's CAs for a `--ca-file` segment.
    private static func tls(trusting roots: [NIOSSLCertificate]?) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let roots { tls.trustRoots = .certificates(roots) }
        return tls
    }

    // MARK: errors

    /// One line for every way the transfer can end badly, naming the phase a deadline or a dropped connection hit.
    static func describe(
        _ error: any Error, phase: FetchPhase, url: URL, limits: FetchLimits, caFile: String?,
        proxy: ProxyServer? = nil
    ) -> FetchError {
        let origin = "\(url.host ?? "?"):\(url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80))"
        // Through a proxy the connection (and what refuses, times out or closes it) is the proxy's.
        let server = proxy.map { "\(origin) via \($0)" } ?? origin
        let tooLarge = FetchError(
            reason: "response larger than \(ByteCount.describe(limits.maxBytes)) (max-bytes, counted after decoding)")
        switch error {
        case is BodyCollector.TooLarge:
            return tooLarge
        case let error as NIOHTTPDecompression.DecompressionError:
            if case .limit = error { return tooLarge }
            return FetchError(reason: "cannot decode the compressed body from \(server) (\(error))")
        case let error as NIOHTTPDecompression.ExtraDecompressionError:
            return FetchError(reason: "cannot decode the compressed body from \(server) (\(error))")
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout:
                return FetchError(reason: "timed out after \(limits.timeout) \(phase.description) from \(server)")
            case .remoteConnectionClosed:
                return FetchError(reason: "connection closed by \(server) \(phase.description)")
            case .cancelled:
                return FetchError(reason: "cancelled \(phase.description)")
            case .proxyAuthenticationRequired:
                return FetchError(reason: "\(server): the proxy wants credentials (user:password@ in the proxy URL)")
            case .invalidProxyResponse:
                return FetchError(
                    reason: "\(server): the proxy refused the tunnel (does it allow CONNECT to \(origin)?)")
            case .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return FetchError(reason: "\(server): no answer from the proxy in time")
            default:
                return FetchError(reason: "\(server): \(error)")
            }
        case let error as NIOConnectionError:
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return FetchError(reason: "cannot resolve host \(url.host ?? "?")")
            }
            return FetchError(reason: "cannot connect to \(server) (server down?)")
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return FetchError(reason: "cannot connect to \(server) (connection refused: server down?)")
        case is NIOSSLError, is BoringSSLError:
            return tlsFailure(error, caFile: caFile)
        case let error as HTTPParserError:
            return FetchError(reason: "malformed HTTP response from \(server) (\(error))")
        default:
            return FetchError(reason: "\(server): \(error)")
        }
    }

    /// BoringSSL's reason (e.g. `CERTIFICATE_VERIFY_FAILED`) without its source-file noise.
    private static func tlsFailure(_ error: any Error, caFile: String?) -> FetchError {
        let text = "\(error)"
        var reason = text
        if let marker = text.range(of: "OPENSSL_internal:") {
            reason = String(text[marker.upperBound...].prefix { $0 != " " && $0 != "]" && $0 != ")" })
        }
        let hint =
            caFile.map { "is the server's certificate issued by \($0)?" }
            ?? "is the server's certificate trusted by this machine's CAs? (a private CA: --ca-file)"
        return FetchError(reason: "TLS handshake failed (\(reason)): \(hint)")
    }
}
