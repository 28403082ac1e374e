import AsyncHTTPClient
import Foundation
import HostsCore
import HostsHTTP
import NIOCore
import NIOHTTP1
import NIOSSL

/// The client's use of HostsHTTP: conditional GETs of remote segments (and their signatures).
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
    private let pool: HTTPClientPool

    init(maxBytes: Int, proxies: ProxySettings = ProxySettings()) {
        var configuration = HTTPClient.Configuration(tlsConfiguration: .client())
        // Redirects are followed by hand: AsyncHTTPClient's own following would forward the Authorization header.
        configuration.redirectConfiguration = .disallow
        // The decompressor stops at the cap by itself, before a bomb's expansion reaches memory.
        configuration.decompression = .enabled(limit: .size(maxBytes))
        // One attempt per fetch: a refused connection or failed handshake is an answer, not something to retry
        // until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        pool = HTTPClientPool(configuration: configuration, proxies: proxies)
    }

    func shutdown() { pool.shutdown() }

    /// Runs `body` with a fetcher and shuts it down afterwards, whatever `body` does.
    static func with<T>(maxBytes: Int, _ body: (RemoteFetcher) async throws -> T) async throws -> T {
        let fetcher = RemoteFetcher(maxBytes: maxBytes)
        do {
            let result = try await body(fetcher)
            fetcher.shutdown()
            return result
        } catch {
            fetcher.shutdown()
            throw error
        }
    }

    /// When a fetch that starts now must be over.
    static func deadline(for limits: FetchLimits) -> NIODeadline { limits.timeout.deadlineFromNow }

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
        let tls = ca.map { TLSConfiguration.client(trusting: $0.certificates) }
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
        let collector = CappedBodyCollector(maxBytes: limits.maxBytes) { _ in false }
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
        caFile: String?, collector given: CappedBodyCollector? = nil
    ) async throws(FetchError) -> CappedBodyCollector.Collected {
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: .GET, headers: headers, tlsConfiguration: tls)
        } catch {
            throw FetchError(reason: "invalid URL \(url): \(error)")
        }
        let collector =
            given
            ?? CappedBodyCollector(maxBytes: limits.maxBytes) {
                !RedirectRules.statuses.contains(Int($0.status.code))
            }
        do {
            return try await pool.execute(request, collector: collector, deadline: deadline, timeout: limits.timeout)
        } catch {
            throw Self.describe(error, limits: limits, caFile: caFile)
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
                reason:
                    "server sent \(VisibleText.excerpt(contentType.split(separator: ";").first ?? "html")), not a hosts file"
            )
        }
        return .content(bytes: body, etag: header("ETag"), lastModified: header("Last-Modified"))
    }

    // MARK: errors

    /// HostsHTTP's failure in the client's words: the cap named as the max-bytes setting, hints for a server that
    /// is down or a certificate this machine does not trust.
    static func describe(_ failure: TransferFailure, limits: FetchLimits, caFile: String?) -> FetchError {
        switch failure.kind {
        case .tooLarge:
            return FetchError(
                reason:
                    "response larger than \(ByteCount.describe(limits.maxBytes)) (max-bytes, counted after decoding)")
        case .cannotConnect(refused: false):
            return FetchError(reason: "cannot connect to \(failure.server) (server down?)")
        case .cannotConnect(refused: true):
            return FetchError(reason: "cannot connect to \(failure.server) (connection refused: server down?)")
        case .tls(let reason):
            let hint =
                caFile.map { "is the server's certificate issued by \($0)?" }
                ?? "is the server's certificate trusted by this machine's CAs? (a private CA: --ca-file)"
            return FetchError(reason: "TLS handshake failed (\(reason)): \(hint)")
        case .unusable, .other:
            return FetchError(reason: failure.reason)
        }
    }
}
