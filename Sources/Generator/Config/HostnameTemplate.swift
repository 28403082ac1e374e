import HostsCore

/// A hostname pattern such as `{name}.{prefix}`: literal text and placeholders `{name}`, `{prefix}`,
/// `{instance-id}`, `{tag:KEY}`. Placeholder values are made into labels with `Hostname.sanitizeLabel` under the
/// profile's ``Hostname/Rules`` (lowercase; runs of anything but a-z/0-9 — and `_` when permissive — become one
/// "-"; trimmed; cut to 63); the literal text must already be valid hostname text under those rules.
struct HostnameTemplate: Sendable, Equatable, CustomStringConvertible {
    enum Part: Sendable, Equatable {
        case literal(String)
        case name, prefix, instanceID
        case tag(String)
    }

    var parts: [Part]
    var description: String
    /// `hostname-rules:`: strict (letters, digits, hyphens) or permissive (underscores kept).
    var rules: Hostname.Rules

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    init(parsing text: String, rules: Hostname.Rules = .strict) throws(ParseError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            guard let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) else {
                parts.append(.literal(String(rest)))
                break
            }
            if rest[open] == "}" { throw ParseError(description: "'}' without '{' in '\(text)'") }
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw ParseError(description: "unclosed '{' in '\(text)'")
            }
            let inner = rest[rest.index(after: open)..<close]
            switch inner {
            case "name": parts.append(.name)
            case "prefix": parts.append(.prefix)
            case "instance-id": parts.append(.instanceID)
            default:
                guard inner.hasPrefix("tag:"), inner.count > 4 else {
                    throw ParseError(
                        description:
                            "unknown placeholder '{\(inner)}' in '\(text)' (use {name}, {prefix}, {instance-id}, {tag:KEY})"
                    )
                }
                parts.append(.tag(String(inner.dropFirst(4))))
            }
            rest = rest[rest.index(after: close)...]
        }
        guard parts.contains(where: { if case .literal = $0 { false } else { true } }) else {
            throw ParseError(description: "'\(text)' has no placeholder: every instance would get the same name")
        }
        self.parts = parts
        self.description = text
        self.rules = rules
        // The literal text must make a valid name whatever the placeholder values are.
        do {
            _ = try Hostname(validating: expand { _ in "x" } ?? "", rules: rules)
        } catch {
            let hint = rules == .strict && text.contains("_") ? " (hostname-rules: permissive keeps underscores)" : ""
            throw ParseError(description: "'\(text)' does not make a valid hostname: \(error.reason)\(hint)")
        }
    }

    /// Whether the template uses `{name}` (instances without a Name tag then get no name from it).
    var usesName: Bool { parts.contains(.name) }

    /// The expanded text, or nil when a placeholder has no value.
    func expand(_ value: (Part) -> String?) -> String? {
        var out = ""
        for part in parts {
            if case .literal(let text) = part {
                out += text
            } else {
                guard let text = value(part) else { return nil }
                out += text
            }
        }
        return out
    }

    /// The hostname for `instance`, or nil when a placeholder has no value or the result is not a valid name.
    func hostname(for instance: EC2Instance) -> Hostname? {
        let text = expand { part in
            switch part {
            case .name: instance.tags["Name"].flatMap(label)
            case .prefix: instance.tags["Prefix"].flatMap(label)
            case .instanceID: label(instance.instanceID)
            case .tag(let key): instance.tags[key].flatMap(label)
            case .literal(let text): text
            }
        }
        return text.flatMap { Hostname($0, rules: rules) }
    }

    /// A placeholder's value as one label under the template's rules.
    func label(_ text: String) -> String? {
        Hostname.sanitizeLabel(text, rules: rules)
    }
}
