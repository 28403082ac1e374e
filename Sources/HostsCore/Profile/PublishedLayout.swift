/// The published directory's file names: what hosts-generator writes and hosts-server reads.
///
/// `NAME.hosts` (a profile), `NAME.hosts.sig` (its signature) and `index.json`; NAME a valid
/// ``ProfileName``. Names starting with a dot are the writers' own (temporary files renamed into place, a lock,
/// Kubernetes' `..data` links) and never published.
public enum PublishedLayout {
    public static let indexFile = "index.json"
    public static let profileSuffix = ".hosts"
    public static let signatureSuffix = ProfileSignature.fileSuffix
    /// hosts-server answers `/profiles/NAME.sig` with `NAME.hosts.sig`: a profile's URL with this appended.
    public static let signatureURLSuffix = ".sig"

    /// `office.hosts` for `office`.
    public static func profileFile(_ name: String) -> String { name + profileSuffix }

    /// `office.hosts.sig` for `office`.
    public static func signatureFile(_ name: String) -> String { name + signatureSuffix }

    /// What a file of the directory is, by its name.
    public enum Kind: Equatable, Sendable {
        case index
        case profile(String)
        case signature(String)
        /// Named like a profile or a signature, but the name is not a valid profile name (`Office.hosts`,
        /// `my_office.hosts`): never published, and worth reporting.
        case invalidName
        /// Anything else (a dot file, `README`): not the layout's business.
        case other
    }

    public static func kind(of file: String) -> Kind {
        if file.hasPrefix(".") { return .other }
        if file == indexFile { return .index }
        for (suffix, make) in [(signatureSuffix, Kind.signature), (profileSuffix, Kind.profile)]
        where file.hasSuffix(suffix) {
            let name = String(file.dropLast(suffix.count))
            return ProfileName.isValid(name) ? make(name) : .invalidName
        }
        return .other
    }
}
