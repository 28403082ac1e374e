import Foundation

/// The JSON document both the container endpoint and IMDS return.
struct CredentialsJSON: Decodable {
    var AccessKeyId: String
    var SecretAccessKey: String
    var Token: String?
    var Expiration: String?

    func credentials(source: String) -> AWSCredentials {
        AWSCredentials(
            accessKeyID: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: Token,
            expiration: Expiration.flatMap(Self.parseDate), source: source)
    }

    static func decode(_ data: Data, source: String) throws(CredentialsError) -> AWSCredentials {
        do {
            return try JSONDecoder().decode(CredentialsJSON.self, from: data).credentials(source: source)
        } catch {
            throw CredentialsError(source: source, reason: "not a credentials document: \(error)")
        }
    }

    static func parseDate(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return ISO8601DateFormatter().date(from: text) ?? withFraction.date(from: text)
    }
}
