import Foundation

/// A profile's `credential_process`: runs the command (split like a shell would, never through one), with a
/// deadline and capped output, and reads the JSON it prints (`Version` 1, `AccessKeyId`, `SecretAccessKey`,
/// optional `SessionToken`, `Expiration`, `AccountId`).
struct ProcessCredentialsProvider: Sendable {
    var command: String
    var profile: String
    var environment: ProcessEnvironment
    var deadline: TimeInterval = 30

    private struct Document: Decodable {
        var Version: Int
        var AccessKeyId: String
        var SecretAccessKey: String
        var SessionToken: String?
        var Expiration: String?
        var AccountId: String?
    }

    func credentials(now: Date = Date()) async throws(CredentialsError) -> AWSCredentials {
        let source = "credential_process of profile \(profile)"
        let arguments: [String]
        do {
            arguments = try ShellWords.split(command)
        } catch {
            throw CredentialsError(source: source, reason: "\(error)")
        }
        if arguments.isEmpty { throw CredentialsError(source: source, reason: "the command is empty") }
        let outcome: BoundedProcess.Outcome
        do {
            outcome = try await BoundedProcess(
                arguments: arguments, environment: environment.values, deadline: deadline
            ).run()
        } catch {
            throw CredentialsError(source: source, reason: "\(arguments[0]): \(error)")
        }
        guard outcome.status == 0 else {
            let line =
                String(decoding: outcome.stderr, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(
                    String.init)
                ?? ""
            throw CredentialsError(
                source: source,
                reason: "\(arguments[0]) exited with status \(outcome.status)" + (line.isEmpty ? "" : ": \(line)"))
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: outcome.stdout)
        } catch {
            throw CredentialsError(
                source: source,
                reason: "its output is not a credentials document (JSON with Version 1, AccessKeyId, SecretAccessKey)")
        }
        guard document.Version == 1 else {
            throw CredentialsError(source: source, reason: "unsupported Version \(document.Version) (only 1 is)")
        }
        guard !document.AccessKeyId.isEmpty, !document.SecretAccessKey.isEmpty else {
            throw CredentialsError(source: source, reason: "AccessKeyId and SecretAccessKey must not be empty")
        }
        var expiration: Date?
        if let text = document.Expiration {
            guard let date = CredentialsJSON.parseDate(text) else {
                throw CredentialsError(source: source, reason: "Expiration '\(text)' is not an ISO 8601 time")
            }
            guard date > now else {
                throw CredentialsError(source: source, reason: "the credentials it returned expired at \(text)")
            }
            expiration = date
        }
        return AWSCredentials(
            accessKeyID: document.AccessKeyId, secretAccessKey: document.SecretAccessKey,
            sessionToken: document.SessionToken, expiration: expiration, source: source,
            accountID: document.AccountId.flatMap { $0.isEmpty ? nil : $0 })
    }
}
