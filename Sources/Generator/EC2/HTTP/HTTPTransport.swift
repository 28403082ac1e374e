import AsyncHTTPClient
import Foundation
import HostsCore
import HostsHTTP
import NIOHTTP1

/// A finished HTTP exchange.
struct HTTPResponse: Sendable {
    var status: Int
    /// Field names in lower case.
    var headers: [String: String]
    var body: Data
}

/// Why an exchange gave no response: one line naming the URL and what happened.
struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    var url: String
    var reason: String
    /// Connection-level failures (refused, reset, timed out) may be retried; an answer that would be the same again
    /// (a body over its cap, a proxy or CA setting that does not parse) may not.
    var isRetryable = true
    var description: String { "\(url): \(reason)" }
}

extension HTTPTransportError {
    /// HostsHTTP's failure, in this program's words: a body over its cap or a setting that does not work would be
    /// the same again, so they are not retried.
    init(_ failure: TransferFailure, url: URL) {
        let retryable: Bool
        switch failure.kind {
        case .tooLarge, .unusable: retryable = false
        case .cannotConnect, .tls, .other: retryable = true
        }
        self.init(url: url.absoluteString, reason: failure.reason, isRetryable: retryable)
    }
}

/// The generator's use of HostsHTTP (AWS APIs, instance metadata, container and SSO credentials), one per process.
///
/// What a server must not be able to do is bounded here for every caller: a deadline per request covers connect,
/// TLS, the head and the whole body; the body is counted as it streams in and the request fails once it passes the
/// call's cap (a `Content-Length` above the cap is refused before the body is read); redirects are not followed
/// (no AWS API this talks to sends one, and following would carry signed or token headers elsewhere). Proxies come
/// from the environment as curl and the AWS SDKs read them (``ProxySettings``); TLS trusts the system's CAs, or only
/// those of `AWS_CA_BUNDLE` (or the default profile's `ca_bundle`).
///
/// Call ``shutdown()`` once the process is done with it.
struct HTTPTransport: Sendable {
    /// The cap for an answer of a few fields (STS, SSO, instance metadata, container credentials): theirs are under
    /// 10 KiB.
    static let smallAnswer = 1 << 20
    /// The cap for one DescribeInstances page of up to 1000 instances: moto's, with four tags each, is 3.4 MB; AWS's
    /// carry more tags, interfaces and volumes per instance, so this leaves room for several times that.
    static let describeInstancesPage = 64 << 20

    /// The deadline of a request whose caller gives none.
    let timeout: TimeInterval
    private let trust: TrustedRoots
    private let pool: HTTPClientPool

    init(timeout: TimeInterval = 30, environment: ProcessEnvironment = .current) {
        self.timeout = timeout
        trust = TrustedRoots(environment: environment)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: (try? trust.tlsConfiguration()) ?? .client())
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        // One connection attempt per request: the callers' retry policy decides about another.
        configuration.connectionPool.retryConnectionEstablishment = false
        pool = HTTPClientPool(configuration: configuration, proxies: ProxySettings(environment: environment.values))
    }

    /// Sends one request and reads the whole answer within `timeout` seconds (the transport's default when nil) and
    /// `maxBytes` of body. HTTP error statuses are returned, not thrown; only transport failures throw.
    func send(
        method: String, url: URL, headers: [(String, String)] = [], body: Data? = nil,
        timeout: TimeInterval? = nil, maxBytes: Int = Self.smallAnswer
    ) async throws(HTTPTransportError) -> HTTPResponse {
        let interval = Interval(seconds: timeout ?? self.timeout)
        let deadline = interval.deadlineFromNow
        // A CA bundle that does not load fails the https requests; http ones do not use it.
        if url.scheme?.lowercased() == "https" { _ = try trust.tlsConfiguration() }
        let request: HTTPClient.Request
        do {
            var fields = HTTPHeaders()
            fields.add(name: "User-Agent", value: "hosts-generator (PseudoDNS)")
            for (name, value) in headers { fields.replaceOrAdd(name: name, value: value) }
            request = try HTTPClient.Request(
                url: url, method: HTTPMethod(rawValue: method), headers: fields,
                body: body.map { HTTPClient.Body.bytes(Array($0)) })
        } catch {
            throw HTTPTransportError(url: url.absoluteString, reason: "invalid request: \(error)", isRetryable: false)
        }
        let collected: CappedBodyCollector.Collected
        do {
            collected = try await pool.execute(
                request, collector: CappedBodyCollector(maxBytes: maxBytes), deadline: deadline, timeout: interval)
        } catch {
            throw HTTPTransportError(error, url: url)
        }
        var fields: [String: String] = [:]
        for (name, value) in collected.headers {
            let key = name.lowercased()
            fields[key] = fields[key].map { "\($0), \(value)" } ?? value
        }
        return HTTPResponse(status: collected.status, headers: fields, body: Data(collected.body))
    }

    /// Closes every connection and lets the clients go; a request after this fails.
    func shutdown() { pool.shutdown() }
}
