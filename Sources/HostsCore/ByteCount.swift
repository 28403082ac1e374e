/// Human-readable byte counts for messages (limits and how much arrived), the same words in every program.
public enum ByteCount {
    /// `64 MiB`, `512 KiB`, or `1234 bytes` when it is not a whole number of either.
    public static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
