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
    /// `hostname-rules:` at the top: every profile's rules unless it sets its own.
    var hostnameRules: Hostname.Rules = .strict

    /// The prefixes of every profile that uses `source`, de-duplicated and sorted: one sweep per source serves
    /// all its profiles. Empty when no profile uses it (it is then not swept).
    func prefixes(of source: String) -> [String] {
        Array(Set(profiles.filter { $0.sources.contains(source) }.flatMap(\.prefixes))).sorted()
    }
}

/// One EC2 region/endpoint to sweep.
struct SourceConfig: Sendable, Equatable {
    var name: String
    var region: String?
    var endpoint: String?
    /// `timeout:`: the whole sweep (every page and retry) is cut after this many seconds.
    var timeout: Double = 300
    /// `profile:`: a profile of the shared AWS files (`~/.aws/config`, `~/.aws/credentials`). Named, it must
    /// resolve: the environment's keys and the rest of the chain are not consulted.
    var profile: String?
    /// `role_arn:`: a role assumed with the source's base credentials (its `profile:`, else the default chain).
    var roleARN: String?
    /// `external_id:`: sent with `role_arn:` (the role's trust policy may require it).
    var externalID: String?
    /// `role_session_name:`: the session name of the assumed role (default `hosts-generator-<unix time>`).
    var roleSessionName: String?

    static let timeoutRange: ClosedRange<Double> = 0.1...3600
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
    /// `sources:`: the sources whose instances it lists (default: all). It is published only when all of them
    /// answered.
    var sources: [String]
    /// `hostname-rules:` (the profile's own, else the file's): strict names are letters, digits and hyphens
    /// (underscores in tags become hyphens); permissive keeps underscores, in tags, templates and includes.
    var hostnameRules: Hostname.Rules = .strict

    struct Include: Sendable, Equatable {
        var written: String
        var path: String
    }
}
