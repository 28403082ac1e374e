import CBuildVersion

/// The version of this build, as `--version` prints it: stamped by `scripts/version.sh` from the git tag or
/// the VERSION file when make builds, `0.0.0+unstamped` for a plain `swift build`.
public enum BuildVersion {
    /// The version string, e.g. `0.1.0+125.ged08f8538f`.
    public static let current = String(cString: pseudodns_build_version())
}
