import Foundation

/// `~/.aws/config` (`[profile NAME]`, `[default]`, `[sso-session NAME]`) and `~/.aws/credentials` (`[NAME]`), paths
/// from `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`. A profile's settings are those of the config file with
/// the credentials file's on top, as in botocore.
struct SharedConfigFiles: Sendable {
    var configPath: String
    var credentialsPath: String
    private var config: SharedINIFile?
    private var credentials: SharedINIFile?

    init(environment: ProcessEnvironment) {
        configPath = environment.expandingTilde(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config")
        credentialsPath = environment.expandingTilde(
            environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials")
        config = SharedINIFile.load(configPath)
        credentials = SharedINIFile.load(credentialsPath)
    }

    /// The profile that applies when a source names none: `AWS_PROFILE` (then `AWS_DEFAULT_PROFILE`), else
    /// `default`; `explicit` says whether the environment named it (then it must exist).
    static func defaultProfile(_ environment: ProcessEnvironment) -> (name: String, explicit: Bool) {
        if let name = environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] { return (name, true) }
        return ("default", false)
    }

    /// The profile's merged settings, nil when neither file has it.
    func profile(_ name: String) -> [String: String]? {
        var section: [String: String]?
        if let config {
            section =
                name == "default"
                ? (config.sections["default"] ?? config.sections["profile default"])
                : config.sections["profile \(name)"]
        }
        if let fromCredentials = credentials?.sections[name] {
            section = (section ?? [:]).merging(fromCredentials) { $1 }
        }
        return section
    }

    /// `[services NAME]` of the config file (sub-properties as `SERVICE.KEY`).
    func services(_ name: String) -> [String: String]? { config?.sections["services \(name)"] }

    /// `[sso-session NAME]` of the config file.
    func ssoSession(_ name: String) -> [String: String]? { config?.sections["sso-session \(name)"] }

    /// Where the profile lives, for messages.
    var locations: String { "\(configPath), \(credentialsPath)" }
}
