import HostsCore

/// What `doctor --json` prints: the findings, and the segment names kept out of the block, in the shape
/// `status --json` gives them (`kept_out`), so a script reads both the same way.
struct DoctorReport: Encodable {
    var findings: [StateDoctor.Finding]
    /// Names lines outside the block define (the owner's choice, not a finding); empty when the state cannot be read.
    var keptOut: [KeptOutName]

    enum CodingKeys: String, CodingKey {
        case findings
        case keptOut = "kept_out"
    }
}
