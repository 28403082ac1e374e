import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Conditional GETs of remote segments over one long-lived URLSession (one per process).
///
/// Enforces the timeout and the size cap, and turns every way a server can answer badly into a `FetchError`:
/// connection failures, non-200/304 statuses, `text/html`, bodies over the cap. Content validation (StrictParser)
/// is the caller's job, so that it can name the segment.
final class RemoteFetcher: Sendable {
    private let delegate = FetchDelegate()
    private let session: URLSession

    init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpAdditionalHeaders = ["User-Agent": "hosts-client (PseudoDNS)"]
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    /// GETs `url`, sending `If-None-Match: etag` when there is a cached copy.
    /// `caFile`: trust only the CA(s) in this PEM bundle for an https URL (see ``PrivateCAFetch``).
    /// `token`: sent as `Authorization: Bearer TOKEN`.
    func fetch(
        _ url: String, etag: String?, lastModified: String?, limits: FetchLimits, caFile: String? = nil,
        token: String? = nil
    ) async throws(FetchError)
        -> FetchResponse
    {
        guard let target = URL(string: url), let scheme = target.scheme?.lowercased(),
            scheme == "http" || scheme == "https", target.host != nil
        else { throw FetchError(reason: "invalid URL \(url): use http:// or https://") }

        var request = URLRequest(url: target)
        request.httpMethod = "GET"
        request.timeoutInterval = limits.timeout.seconds
        request.cachePolicy = .reloadIgnoringLocalCacheData
        request.setValue("text/plain", forHTTPHeaderField: "Accept")
        if let etag { request.setValue(etag, forHTTPHeaderField: "If-None-Match") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let lastModified, etag == nil { request.setValue(lastModified, forHTTPHeaderField: "If-Modified-Since") }

        if let caFile {
            guard scheme == "https" else {
                throw FetchError(reason: "--ca-file needs an https:// URL, not \(url)")
            }
            return try await PrivateCAFetch(caFile: caFile, limits: limits).perform(request)
        }
        let completion = await perform(request, maxBytes: limits.maxBytes)
        return try Self.interpret(completion, limits: limits)
    }

    private func perform(_ request: URLRequest, maxBytes: Int) async -> FetchDelegate.Completion {
        let task = session.dataTask(with: request)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                delegate.register(task, maxBytes: maxBytes, continuation: continuation)
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    static func interpret(_ completion: FetchDelegate.Completion, limits: FetchLimits) throws(FetchError)
        -> FetchResponse
    {
        if completion.tooLarge {
            throw FetchError(reason: "response larger than \(ByteCount.describe(limits.maxBytes)) (max-bytes)")
        }
        if let error = completion.error {
            throw FetchError(reason: describe(error, limits: limits))
        }
        guard let response = completion.response else { throw FetchError(reason: "no HTTP response") }
        return try classify(
            status: response.statusCode, header: { response.value(forHTTPHeaderField: $0) }, body: completion.body)
    }

    /// 304 → not modified; 200 → content (unless it is an HTML page); anything else → an error naming the status.
    static func classify(status: Int, header: (String) -> String?, body: [UInt8]) throws(FetchError)
        -> FetchResponse
    {
        switch status {
        case 304:
            return .notModified
        case 200:
            break
        default:
            let text = HTTPURLResponse.localizedString(forStatusCode: status)
            throw FetchError(reason: "HTTP \(status) \(text)", status: status)
        }
        let contentType = (header("Content-Type") ?? "").lowercased()
        if contentType.hasPrefix("text/html") || contentType.hasPrefix("application/xhtml") {
            throw FetchError(
                reason: "server sent \(contentType.split(separator: ";").first ?? "html"), not a hosts file")
        }
        return .content(bytes: body, etag: header("ETag"), lastModified: header("Last-Modified"))
    }

    private static func describe(_ error: any Error, limits: FetchLimits) -> String {
        guard let urlError = error as? URLError else { return "\(error.localizedDescription)" }
        switch urlError.code {
        case .timedOut: return "timed out after \(limits.timeout)"
        case .cannotConnectToHost: return "cannot connect (server down?)"
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve host"
        case .networkConnectionLost: return "connection lost"
        case .notConnectedToInternet: return "no network"
        case .cancelled: return "cancelled"
        default: return urlError.localizedDescription
        }
    }
}

/// Human-readable byte counts for messages.
enum ByteCount {
    static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
