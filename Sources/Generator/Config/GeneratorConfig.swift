import Foundation
import HostsCore

/// A profile definition file (`Profiles/*.yml`), validated. Relative paths are already resolved against the
/// directory of the file.
struct GeneratorConfig: Sendable {
    /// The file this came from, as given (for messages).
    var path: String
    var sources: [SourceConfig]
    var profiles: [ProfileConfig]
    /// `views:`, validated: served by hosts-server at `/profiles/NAME`, chosen by the client's address.
    var views: [ViewRecord] = []
    /// The published directory.
    var output: String
    /// Refuse to publish a profile whose entry count falls by more than this fraction (0...1).
    var shrinkGuard: Double = 0.5
    /// Instance states to keep (`instance-state-name` filter).
    var states: [String] = ["running"]
    var retry = RetryPolicy()
    /// `signing-key:`, resolved against the config file's directory: sign every published profile with it.
    var signingKey: String?

    /// Every profile's prefixes, de-duplicated and sorted: one sweep per source serves all profiles.
    var allPrefixes: [String] { Array(Set(profiles.flatMap(\.prefixes))).sorted() }
}

/// One EC2 region/endpoint to sweep, and the identity it is swept with.
struct SourceConfig: Sendable, Equatable {
    var name: String
    var region: String?
    var endpoint: String?
    /// `profile:`: a profile of the shared AWS files (`~/.aws/config`, `~/.aws/credentials`). Named, it must
    /// resolve: the environment's keys and the rest of the chain are not consulted.
    var profile: String?
    /// `role_arn:`: a role assumed with the source's base credentials (its `profile:`, else the default chain).
    var roleARN: String?
    /// `external_id:`: sent with `role_arn:` (the role's trust policy may require it).
    var externalID: String?
    /// `role_session_name:`: the session name of the assumed role (default `hosts-generator-<unix time>`).
    var roleSessionName: String?

    init(
        name: String, region: String? = nil, endpoint: String? = nil, profile: String? = nil,
        roleARN: String? = nil, externalID: String? = nil, roleSessionName: String? = nil
    ) {
        self.name = name
        self.region = region
        self.endpoint = endpoint
        self.profile = profile
        self.roleARN = roleARN
        self.externalID = externalID
        self.roleSessionName = roleSessionName
    }
}

/// Which address of an instance a profile publishes.
enum AddressKind: String, Sendable, CaseIterable {
    case `public`, `private`, ipv6
}

/// One published hosts file.
struct ProfileConfig: Sendable {
    var name: String
    var description: String?
    /// Values of the `Prefix` tag, matched exactly (case-sensitive) as AWS's tag filter does.
    var prefixes: [String]
    var address: AddressKind
    var hostnames: [HostnameTemplate]
    /// Static segments appended to the profile, as written in the config and resolved to a path.
    var include: [Include]

    struct Include: Sendable, Equatable {
        var written: String
        var path: String
    }
}
