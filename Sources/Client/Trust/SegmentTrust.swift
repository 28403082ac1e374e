import Foundation
import HostsCore

/// What a remote segment demands of the content it accepts, as configured with `add`: pinned keys (signature,
/// rollback and freeze checks), a name/address policy, and a private CA for HTTPS.
struct SegmentTrust: Codable, Sendable, Equatable {
    static let defaultMaxAge = Interval(seconds: 86_400)

    /// Base64 Ed25519 public keys; a signature by any of them is accepted (rotation: old and new side by side).
    var publicKeys: [String] = []
    /// The profile names a signature may carry (default: the URL's last path component). Several for a server-side
    /// view, which serves one of its profiles depending on where the client is. Stored as `profile`: a string for
    /// one (as before views), a list for several.
    var profiles: [String] = []
    /// How old a signature may be before the feed counts as frozen.
    var maxAge: Interval?
    /// `--allow-names` patterns and `--allow-addresses` ranges, as typed.
    var allowNames: [String] = []
    var allowAddresses: [String] = []
    /// PEM bundle of the CA(s) that sign the server's certificate (HTTPS only).
    var caFile: String?
    /// File holding the bearer token the server asks for (`hosts-server --token-file`); read at every fetch, so
    /// a rotated token is picked up without touching the client's config, and the secret stays out of it.
    var tokenFile: String?
    /// `--lenient`: lines that are not hosts entries are skipped (and shown in `status`) instead of refusing the
    /// whole list; for third-party lists only, never with pinned keys.
    var lenient = false

    enum CodingKeys: String, CodingKey {
        case publicKeys = "public-keys"
        case profile
        case maxAge = "max-age"
        case allowNames = "allow-names"
        case allowAddresses = "allow-addresses"
        case caFile = "ca-file"
        case tokenFile = "token-file"
        case lenient
    }

    init(
        publicKeys: [String] = [], profiles: [String] = [], maxAge: Interval? = nil, allowNames: [String] = [],
        allowAddresses: [String] = [], caFile: String? = nil
    ) {
        self.publicKeys = publicKeys
        self.profiles = profiles
        self.maxAge = maxAge
        self.allowNames = allowNames
        self.allowAddresses = allowAddresses
        self.caFile = caFile
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        publicKeys = try container.decodeIfPresent([String].self, forKey: .publicKeys) ?? []
        if let one = try? container.decodeIfPresent(String.self, forKey: .profile) {
            profiles = [one]
        } else {
            profiles = try container.decodeIfPresent([String].self, forKey: .profile) ?? []
        }
        maxAge = try container.decodeIfPresent(Interval.self, forKey: .maxAge)
        allowNames = try container.decodeIfPresent([String].self, forKey: .allowNames) ?? []
        allowAddresses = try container.decodeIfPresent([String].self, forKey: .allowAddresses) ?? []
        caFile = try container.decodeIfPresent(String.self, forKey: .caFile)
        tokenFile = try container.decodeIfPresent(String.self, forKey: .tokenFile)
        lenient = try container.decodeIfPresent(Bool.self, forKey: .lenient) ?? false
    }

    /// As synthesized, except that `lenient` is written only when set and `profile` as a string when there is one
    /// (configs without either stay as they were).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(publicKeys, forKey: .publicKeys)
        if profiles.count == 1 {
            try container.encode(profiles[0], forKey: .profile)
        } else if !profiles.isEmpty {
            try container.encode(profiles, forKey: .profile)
        }
        try container.encodeIfPresent(maxAge, forKey: .maxAge)
        try container.encode(allowNames, forKey: .allowNames)
        try container.encode(allowAddresses, forKey: .allowAddresses)
        try container.encodeIfPresent(caFile, forKey: .caFile)
        try container.encodeIfPresent(tokenFile, forKey: .tokenFile)
        if lenient { try container.encode(lenient, forKey: .lenient) }
    }

    /// The token from ``tokenFile`` (its first non-empty line), or nil when the segment has none. Read the trusted
    /// way (HostsCore ``TrustedFile``: root's, in directories only root can write, a regular file of at most
    /// 64 KiB) at every fetch, so a token file that became unsafe since `add` is refused, not sent.
    func bearerToken() throws(SegmentFailure) -> String? {
        guard let tokenFile else { return nil }
        let text: String
        do {
            text = String(decoding: try TrustedFile.read(tokenFile, .tokenFile), as: UTF8.self)
        } catch {
            throw .file(error)
        }
        guard
            let token = text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) })
                .first(where: { !$0.isEmpty })
        else { throw .emptyToken(path: tokenFile) }
        return token
    }

    /// The `--ca-file` bundle, read and parsed, or nil when the segment has none.
    func caBundle() throws(SegmentFailure) -> CABundle? {
        try caFile.map { path throws(SegmentFailure) in try CABundle.load(path) }
    }

    var isPinned: Bool { !publicKeys.isEmpty }

    /// The pinned keys; config.json is validated when written, so a bad one here was edited in by hand.
    func verifyingKeys() throws(TrustError) -> [VerifyingKey] {
        var keys: [VerifyingKey] = []
        for text in publicKeys { keys.append(try VerifyingKey(base64: text)) }
        return keys
    }

    /// What the segment may write: its `--allow-names`/`--allow-addresses`, and never this machine's reserved
    /// names (localhost, its hostname…) unless `--allow-names` lists them one by one.
    func policy() throws(PolicyError) -> SegmentPolicy {
        try SegmentPolicy(
            allowNames: allowNames.joined(separator: ","), allowAddresses: allowAddresses.joined(separator: ",")
        ).reserving(SegmentPolicy.reservedNames(hostname: Self.hostname), exceptListedIn: allowNames)
    }

    /// This machine's hostname (gethostname: no lookup), nil when it cannot be read.
    static let hostname: String? = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// The profile names a signature may carry for `url`.
    func expectedProfiles(url: String) -> [String] {
        profiles.isEmpty ? [Self.profileName(fromURL: url)] : profiles
    }

    /// The URL's last path component (`https://h/profiles/office` → `office`).
    static func profileName(fromURL url: String) -> String {
        URL(string: url)?.lastPathComponent ?? ""
    }

    /// Where the signature of the profile at `url` is served: the same URL with `.sig` appended to the path.
    static func signatureURL(for url: String) -> String {
        let suffix = PublishedLayout.signatureURLSuffix
        guard var components = URLComponents(string: url) else { return url + suffix }
        components.percentEncodedPath += suffix
        return components.string ?? url + suffix
    }
}
