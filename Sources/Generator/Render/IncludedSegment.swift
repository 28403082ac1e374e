import Foundation
import HostsCore

/// A static include, read and validated with the strict parser and the profile's ``Hostname/Rules``.
struct IncludedSegment: Sendable {
    /// As written in the config (for the profile's header and duplicate warnings).
    var path: String
    var entries: [HostsEntry]

    /// Reads `include` for a profile made under `rules`: a line the strict parser refuses, or a name those rules
    /// refuse (an underscore under strict rules), fails the whole include, as a profile is all strict or not.
    static func load(_ include: ProfileConfig.Include, rules: Hostname.Rules) throws(IncludeFailure) -> IncludedSegment
    {
        guard let data = FileManager.default.contents(atPath: include.path) else {
            throw IncludeFailure(reason: "include \(include.path): cannot read the file")
        }
        let entries: [HostsEntry]
        do {
            entries = try StrictParser.parse([UInt8](data), source: include.path)
        } catch {
            throw IncludeFailure(reason: "include \(error)")
        }
        for entry in entries {
            if let name = entry.hostnames.first(where: { !$0.conforms(to: rules) }) {
                throw IncludeFailure(
                    reason: "include \(include.path):\(entry.line): '\(name)' has '_', which hostname-rules: "
                        + "\(rules.rawValue) does not allow (hostname-rules: permissive keeps it)")
            }
        }
        return IncludedSegment(path: include.written, entries: entries)
    }
}

/// A profile's include that cannot be read, parsed or used under the profile's hostname rules.
struct IncludeFailure: Error, Sendable {
    var reason: String
}
