/// What the last write produced (`STATE_DIR/applied.json`): lets an unchanged re-sync stop after hashing, without
/// parsing or merging 100,000 entries again.
struct AppliedState: Codable, Sendable, Equatable {
    /// Digest of the ordered enabled segments and their contents (see `MergeInputs.digest`).
    var inputs: String
    /// SHA-256 of the whole hosts file as written.
    var hostsSHA256: String
    /// The resolver-cache flush (or after-apply hook) after the last write that ran one.
    var flush: ResolverFlush.Report?
    /// Segments the merge left out, so an apply that skips the merge still names them.
    var problems: [String: String]?
    /// Names kept out of the block (lines outside it define them), so an apply that skips the merge still says so.
    var keptOut: KeptOutSummary? = nil

    enum CodingKeys: String, CodingKey {
        case inputs, flush, problems
        case keptOut = "kept_out"
        case hostsSHA256 = "hosts_sha256"
    }
}
