extension Hostname {
    /// Which names are accepted, beyond letters, digits and hyphens.
    ///
    /// Why two: a name with an underscore resolves from a hosts file (glibc's files backend checks no syntax),
    /// and estates have such names (`db_primary`); but it is not a host name by RFC 1123, CAs may not put one in a
    /// certificate (CA/Browser Forum ballot SC12), and some URL parsers drop it (Java's `URI` gives no host). So
    /// the names PseudoDNS makes itself are ``strict`` unless the operator asks for
    /// ``permissive`` (the generator's `hostname-rules:`), and hosts content that others made is read
    /// ``permissive`` (``StrictParser``): refusing a name that resolves protects nothing, since whoever writes a
    /// segment can write any other name just as well; what limits a segment is its trust policy.
    public enum Rules: String, Sendable, Hashable, CaseIterable {
        /// RFC 1123 labels: letters, digits and hyphens.
        case strict
        /// Letters, digits, hyphens and underscores (an underscore may also start or end a label).
        case permissive
    }

    /// Whether the name is one `rules` accept (every name is a permissive one).
    public func conforms(to rules: Rules) -> Bool {
        rules == .permissive || !value.utf8.contains(UInt8(ascii: "_"))
    }
}
