/// Why a DescribeInstances sweep of one source failed. Every message names the source and, where there is one,
/// the page (a credentials failure names the credential source instead).
struct EC2Error: Error, CustomStringConvertible, Sendable {
    enum Kind: Sendable {
        /// The API answered with an error document (`AuthFailure`, `Throttling`…).
        case api(status: Int, code: String, message: String)
        /// An error status without an EC2 error document (an HTML page from a proxy, an empty body…).
        case http(status: Int, snippet: String)
        /// The exchange failed: the connection (refused, reset, timeout), retried; or the answer (a body over
        /// its cap), not retried.
        case transport(String, retryable: Bool = true)
        /// A 200 whose body is not a usable DescribeInstances page (truncated, not XML, wrong document).
        case badPage(PageParseError)
        /// The same nextToken came back twice: paging would never end.
        case repeatedToken
        case credentials(CredentialsError)
    }

    var source: String
    var page: Int?
    var kind: Kind
    /// How many attempts were made for the failing request.
    var attempts: Int = 1

    var description: String {
        let at = page.map { "source \(source), page \($0)" } ?? "source \(source)"
        let tries = attempts > 1 ? " (after \(attempts) attempts)" : ""
        switch kind {
        case .api(let status, let code, let message):
            return "\(at): \(code): \(message) (HTTP \(status))\(tries)"
        case .http(let status, let snippet):
            return "\(at): HTTP \(status) without an EC2 error document: \(snippet)\(tries)"
        case .transport(let reason, let retryable):
            return "\(at): \(retryable ? "connection failed: " : "")\(reason)\(tries)"
        case .badPage(let error):
            return "\(at): bad DescribeInstances response: \(error)"
        case .repeatedToken:
            return "\(at): nextToken repeats a previous page's token; stopping"
        case .credentials(let error):
            return "source \(source): \(error)"
        }
    }

    /// Error codes AWS SDKs treat as throttling.
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// Error codes for transient server faults.
    static let transientCodes: Set<String> = [
        "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "RequestTimeout",
        "RequestTimeoutException",
    ]
    static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// Throttling, transient codes, 429/5xx gateway statuses and connection failures are retried; everything
    /// else (`AuthFailure`, `UnauthorizedOperation`, `InvalidParameterValue`, a bad page…) fails at once.
    var isRetryable: Bool {
        switch kind {
        case .api(let status, let code, _):
            return Self.throttlingCodes.contains(code) || Self.transientCodes.contains(code)
                || (Self.retryableStatuses.contains(status) && !Self.fatalCodes.contains(code))
        case .http(let status, _):
            return Self.retryableStatuses.contains(status)
        case .transport(_, let retryable):
            return retryable
        case .badPage, .repeatedToken, .credentials:
            return false
        }
    }

    private static let fatalCodes: Set<String> = [
        "AuthFailure", "UnauthorizedOperation", "InvalidParameterValue", "InvalidClientTokenId",
        "SignatureDoesNotMatch", "OptInRequired", "Blocked",
    ]
}
