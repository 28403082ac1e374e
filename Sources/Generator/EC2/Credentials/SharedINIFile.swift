import Foundation

/// The INI dialect of `~/.aws/credentials` and `~/.aws/config`: `[section]` headers, `key = value` lines,
/// `#` and `;` comment lines. Indented `key = value` lines under a key with an empty value are its sub-properties,
/// kept as `PARENT.KEY` (`ec2.endpoint_url` in a `[services NAME]` section); other indented lines are ignored.
struct SharedINIFile: Sendable {
    var sections: [String: [String: String]]

    init(text: String) {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var parent: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if rawLine.first == " " || rawLine.first == "\t" {
                let line = rawLine.trimmingCharacters(in: .whitespaces)
                if let section = current, let parent, !line.hasPrefix("#"), !line.hasPrefix(";"),
                    let equals = line.firstIndex(of: "=")
                {
                    let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
                    let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                    sections[section, default: [:]]["\(parent).\(key)"] = value
                }
                continue
            }
            parent = nil
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else {
                    current = nil
                    continue
                }
                let name = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
            if value.isEmpty { parent = key }
        }
        self.sections = sections
    }

    /// Reads `path`; nil when the file does not exist.
    static func load(_ path: String) -> SharedINIFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return SharedINIFile(text: String(decoding: data, as: UTF8.self))
    }
}
