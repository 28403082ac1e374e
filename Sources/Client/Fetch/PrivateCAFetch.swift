import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One GET over HTTPS that trusts only the CA(s) of a segment's `--ca-file`.
///
/// FoundationNetworking on Linux (libcurl underneath) offers no per-request CA: it delivers no server-trust
/// challenge to the delegate and reads no CA setting from the configuration or the environment. A company server
/// behind a private CA is reached with AsyncHTTPClient instead, whose TLS configuration takes the bundle as its
/// only trust roots — the system's public CAs are not trusted for such a segment.
struct PrivateCAFetch {
    var caFile: String
    var limits: FetchLimits

    /// Sends `request`'s method, URL and headers; returns what ``RemoteFetcher/classify(status:header:body:)`` makes
    /// of the answer.
    func perform(_ request: URLRequest) async throws(FetchError) -> FetchResponse {
        guard let url = request.url?.absoluteString else { throw FetchError(reason: "no URL") }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        } catch {
            throw FetchError(reason: "--ca-file \(caFile): not a readable PEM certificate bundle (\(error))")
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        // One attempt per sync, as with URLSession: a failed handshake must not be retried until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(Int64(max(1, limits.timeout.seconds.rounded(.up)))))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result = await Self.execute(
            caFile: caFile,
            url: url, headers: request.allHTTPHeaderFields ?? [:], client: client, limits: limits)
        try? await client.shutdown()
        return try result.get()
    }

    private static func execute(
        caFile: String, url: String, headers: [String: String], client: HTTPClient, limits: FetchLimits
    )
        async -> Result<FetchResponse, FetchError>
    {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "hosts-client (PseudoDNS)")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let timeout = TimeAmount.milliseconds(Int64(limits.timeout.seconds * 1000))
        do {
            let response = try await client.execute(request, timeout: timeout)
            if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > limits.maxBytes {
                return .failure(tooLarge(limits))
            }
            var body: [UInt8] = []
            for try await chunk in response.body {
                if body.count + chunk.readableBytes > limits.maxBytes { return .failure(tooLarge(limits)) }
                body.append(contentsOf: chunk.readableBytesView)
            }
            let headers = response.headers
            return Result { () throws(FetchError) in
                try RemoteFetcher.classify(
                    status: Int(response.status.code), header: { headers.first(name: $0) }, body: body)
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(FetchError(reason: "timed out after \(limits.timeout)"))
        } catch let error as HTTPClientError where error == .connectTimeout {
            return .failure(FetchError(reason: "cannot connect (timed out after \(limits.timeout))"))
        } catch let error as NIOSSLError {
            return .failure(tlsFailure(error, caFile: caFile))
        } catch let error as BoringSSLError {
            return .failure(tlsFailure(error, caFile: caFile))
        } catch {
            return .failure(FetchError(reason: "\(error)"))
        }
    }

    /// BoringSSL's reason (e.g. `CERTIFICATE_VERIFY_FAILED`) without its source-file noise.
    private static func tlsFailure(_ error: any Error, caFile: String) -> FetchError {
        let text = "\(error)"
        var reason = text
        if let marker = text.range(of: "OPENSSL_internal:") {
            reason = String(text[marker.upperBound...].prefix { $0 != " " && $0 != "]" && $0 != ")" })
        }
        return FetchError(reason: "TLS handshake failed (\(reason)): is the server's certificate issued by \(caFile)?")
    }

    private static func tooLarge(_ limits: FetchLimits) -> FetchError {
        FetchError(reason: "response larger than \(ByteCount.describe(limits.maxBytes)) (max-bytes)")
    }
}
