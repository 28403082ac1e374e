/// Profile names appear in URLs and file names, so they are kept to a safe alphabet.
public enum ProfileName {
    /// `[a-z0-9][a-z0-9-]*`, at most 63 characters.
    public static func isValid(_ name: some StringProtocol) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63 else { return false }
        func allowed(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        return allowed(first) && name.utf8.allSatisfy { allowed($0) || $0 == UInt8(ascii: "-") }
    }
}
