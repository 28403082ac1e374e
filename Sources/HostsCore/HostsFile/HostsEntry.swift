/// One line of a hosts file that maps an address to names.
public struct HostsEntry: Hashable, Sendable {
    public var address: IPAddress
    /// Never empty.
    public var hostnames: [Hostname]
    /// The inline comment after `#`, trimmed; nil when there is none.
    public var comment: String?
    /// 1-based line in the source it came from; 0 when made in code.
    public var line: Int

    public init(address: IPAddress, hostnames: [Hostname], comment: String? = nil, line: Int = 0) {
        self.address = address
        self.hostnames = hostnames
        self.comment = comment
        self.line = line
    }
}
