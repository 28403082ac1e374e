/// `~/.aws/credentials` (`[NAME]`) and `~/.aws/config` (`[profile NAME]`, or `[default]`), profile from
/// `AWS_PROFILE` (default `default`); paths from `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`.
/// Keys in the credentials file win over the config file, as in the AWS CLI.
struct SharedFileCredentialsProvider: Sendable {
    var environment: ProcessEnvironment

    var profile: String { environment["AWS_PROFILE"] ?? "default" }
    var credentialsPath: String {
        environment.expandingTilde(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
    }
    var configPath: String { environment.expandingTilde(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config") }

    /// The profile's settings from the config file, merged under those of the credentials file.
    func settings() -> [String: String] {
        var merged: [String: String] = [:]
        if let config = SharedINIFile.load(configPath) {
            let section =
                profile == "default"
                ? (config.sections["default"] ?? config.sections["profile default"])
                : config.sections["profile \(profile)"]
            merged.merge(section ?? [:]) { $1 }
        }
        if let credentials = SharedINIFile.load(credentialsPath) {
            merged.merge(credentials.sections[profile] ?? [:]) { $1 }
        }
        return merged
    }

    /// nil when neither file holds keys for the profile.
    func credentials() throws(CredentialsError) -> AWSCredentials? {
        let settings = settings()
        let where_ = "shared files \(credentialsPath), \(configPath) [\(profile)]"
        switch (settings["aws_access_key_id"], settings["aws_secret_access_key"]) {
        case (nil, nil):
            if environment["AWS_PROFILE"] != nil && settings.isEmpty {
                throw CredentialsError(source: where_, reason: "profile '\(profile)' (AWS_PROFILE) not found")
            }
            return nil
        case (let id?, let secret?) where !id.isEmpty && !secret.isEmpty:
            return AWSCredentials(
                accessKeyID: id, secretAccessKey: secret, sessionToken: settings["aws_session_token"],
                source: where_)
        default:
            throw CredentialsError(
                source: where_, reason: "aws_access_key_id and aws_secret_access_key must both be set")
        }
    }

    /// The profile's `region`, a last resort after the config and the environment.
    func region() -> String? { settings()["region"].flatMap { $0.isEmpty ? nil : $0 } }
}
