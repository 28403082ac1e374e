/// Why content from the network (or a user-edited segment) is not a hosts file.
public struct HostsParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The URL or file path, as the caller named it.
    public var source: String
    /// 1-based; 0 when the input as a whole is wrong.
    public var line: Int
    public var reason: String

    public init(source: String, line: Int, reason: String) {
        self.source = source
        self.line = line
        self.reason = reason
    }

    public var description: String {
        line > 0 ? "\(source):\(line): \(reason)" : "\(source): \(reason)"
    }
}
