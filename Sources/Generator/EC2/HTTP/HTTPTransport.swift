import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A finished HTTP exchange.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data
}

/// Connection-level failure (refused, reset, timed out, DNS…): the request may be retried.
struct HTTPTransportError: Error, CustomStringConvertible, Sendable {
    var url: String
    var reason: String
    var description: String { "\(url): \(reason)" }
}

/// The one HTTP client of the process: a long-lived URLSession (libcurl on Linux), no caching, no cookies.
struct HTTPTransport: Sendable {
    let session: URLSession

    init(timeout: TimeInterval = 30) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 4
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration)
    }

    /// Sends one request. HTTP error statuses are returned, not thrown; only transport failures throw.
    func send(
        method: String, url: URL, headers: [(String, String)] = [], body: Data? = nil,
        timeout: TimeInterval? = nil
    ) async throws(HTTPTransportError) -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let timeout { request.timeoutInterval = timeout }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw HTTPTransportError(url: url.absoluteString, reason: Self.describe(error))
        }
        guard let http = response as? HTTPURLResponse else {
            throw HTTPTransportError(url: url.absoluteString, reason: "not an HTTP response")
        }
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: fields, body: data)
    }

    private static func describe(_ error: any Error) -> String {
        if let urlError = error as? URLError {
            return "\(urlError.localizedDescription) (URLError \(urlError.code.rawValue))"
        }
        return String(describing: error)
    }
}
