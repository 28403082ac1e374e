import Foundation

/// A set of AWS keys, with the session token and expiry that temporary credentials carry.
struct AWSCredentials: Sendable, Hashable {
    var accessKeyID: String
    var secretAccessKey: String
    var sessionToken: String?
    var expiration: Date?
    /// Where these came from ("environment", "shared credentials file ~/.aws/credentials [prod]", …), for logs.
    var source: String = ""
    /// The account, when the provider says (an assumed role's ARN, SSO, `credential_process`'s `AccountId`).
    var accountID: String?

    /// True when the credentials expire within `margin` seconds of `now`.
    func expires(within margin: TimeInterval, of now: Date = Date()) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) < margin
    }
}
