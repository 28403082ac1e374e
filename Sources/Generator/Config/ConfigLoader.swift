import Foundation
import HostsCore
import Yams

/// Reads and validates a profile definition file. Unknown keys are errors (a typo must not silently drop a
/// setting). Every error names the file, the line and the key path.
struct ConfigLoader {
    var path: String

    static func load(path: String) throws(ConfigError) -> GeneratorConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path: path, key: "", reason: "cannot read the file")
        }
        return try ConfigLoader(path: path).parse(String(decoding: data, as: UTF8.self))
    }

    func parse(_ text: String) throws(ConfigError) -> GeneratorConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(path: path, key: "", reason: "the file is empty")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            let (line, problem) = Self.describe(error)
            throw ConfigError(path: path, line: line, key: "", reason: "not valid YAML: \(problem)")
        } catch {
            throw ConfigError(path: path, key: "", reason: "not valid YAML: \(error)")
        }
        let top = try mapping(
            root, key: "",
            allowed: [
                "sources", "profiles", "views", "output", "shrink-guard", "states", "retry", "signing-key",
                "hostname-rules",
            ])
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()

        guard let sourcesNode = top["sources"] else {
            throw error(root, "sources", "missing (list at least one source)")
        }
        var sources: [SourceConfig] = []
        for (index, node) in try sequence(sourcesNode, key: "sources").enumerated() {
            let key = "sources[\(index)]"
            let fields = try mapping(
                node, key: key,
                allowed: [
                    "name", "region", "endpoint", "timeout", "profile", "role_arn", "external_id", "role_session_name",
                ])
            let name = try requiredString(fields, "name", in: node, key: key)
            if sources.contains(where: { $0.name == name }) {
                throw error(fields["name"]!, "\(key).name", "duplicate source name '\(name)'")
            }
            let endpoint = try optionalString(fields, "endpoint", key: key)
            if let endpoint, let endpointNode = fields["endpoint"] {
                guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                    url.host?.isEmpty == false
                else { throw error(endpointNode, "\(key).endpoint", "'\(endpoint)' is not an http(s) URL") }
            }
            var source = SourceConfig(
                name: name, region: try optionalString(fields, "region", key: key), endpoint: endpoint)
            if let timeout = fields["timeout"] {
                source.timeout = try interval(timeout, "\(key).timeout", in: SourceConfig.timeoutRange)
            }
            try parseIdentity(fields, key: key, into: &source)
            sources.append(source)
        }
        if sources.isEmpty { throw error(sourcesNode, "sources", "list at least one source") }

        guard let profilesNode = top["profiles"] else {
            throw error(root, "profiles", "missing (list at least one profile)")
        }
        var profiles: [ProfileConfig] = []
        let sourceNames = sources.map(\.name)
        let rules = try top["hostname-rules"].map { node throws(ConfigError) in
            try hostnameRules(node, "hostname-rules")
        }
        for (index, node) in try sequence(profilesNode, key: "profiles").enumerated() {
            let profile = try parseProfile(
                node, key: "profiles[\(index)]", base: base, sources: sourceNames, rules: rules ?? .strict)
            if profiles.contains(where: { $0.name == profile.name }) {
                throw error(node, "profiles[\(index)].name", "duplicate profile name '\(profile.name)'")
            }
            profiles.append(profile)
        }
        if profiles.isEmpty { throw error(profilesNode, "profiles", "list at least one profile") }
        let views = try top["views"].map { node throws(ConfigError) in
            try parseViews(node, profiles: Set(profiles.map(\.name)))
        }

        let output = try optionalString(top, "output", key: "") ?? "published"
        var config = GeneratorConfig(
            path: path, sources: sources, profiles: profiles,
            output: base.appendingPathComponent(output).standardizedFileURL.path)
        config.views = views ?? []
        config.hostnameRules = rules ?? .strict
        if output.hasPrefix("/") { config.output = output }
        if let node = top["shrink-guard"] {
            guard let value = Double(node.string ?? ""), (0...1).contains(value) else {
                throw error(node, "shrink-guard", "must be a number from 0 to 1 (the largest allowed shrink)")
            }
            config.shrinkGuard = value
        }
        if let keyPath = try optionalString(top, "signing-key", key: "") {
            config.signingKey =
                keyPath.hasPrefix("/") ? keyPath : base.appendingPathComponent(keyPath).standardizedFileURL.path
        }
        if let node = top["states"] {
            let states = try stringList(node, key: "states")
            let known: Set = ["pending", "running", "shutting-down", "terminated", "stopping", "stopped"]
            if let bad = states.first(where: { !known.contains($0) }) {
                throw error(
                    node, "states", "unknown instance state '\(bad)' (one of \(known.sorted().joined(separator: ", ")))"
                )
            }
            if states.isEmpty { throw error(node, "states", "list at least one state") }
            config.states = states
        }
        if let node = top["retry"] {
            let fields = try mapping(node, key: "retry", allowed: ["max-attempts", "base-delay", "max-delay"])
            if let attempts = fields["max-attempts"] {
                guard let value = Int(attempts.string ?? ""), value >= 1 else {
                    throw error(attempts, "retry.max-attempts", "must be a whole number >= 1")
                }
                config.retry.maxAttempts = value
            }
            // HostsCore's one duration grammar (`0.2`, `2s`, `1m`), as every other duration: `inf` or `1e9` is none.
            for (name, keyPath) in [("base-delay", \RetryPolicy.baseDelay), ("max-delay", \RetryPolicy.maxDelay)] {
                if let value = fields[name] {
                    config.retry[keyPath: keyPath] = try interval(value, "retry.\(name)", in: RetryPolicy.delayRange)
                }
            }
        }
        return config
    }

    /// A source's own identity keys, checked for form here; whether the profile exists is `check`'s business
    /// (the shared files can change between runs).
    private func parseIdentity(_ fields: [String: Node], key: String, into source: inout SourceConfig)
        throws(ConfigError)
    {
        source.profile = try optionalString(fields, "profile", key: key)
        if let profile = source.profile, let node = fields["profile"],
            profile.contains(where: { $0.isWhitespace || $0 == "[" || $0 == "]" })
        {
            throw error(node, "\(key).profile", "'\(profile)' is not a profile name (no spaces or brackets)")
        }
        source.roleARN = try optionalString(fields, "role_arn", key: key)
        if let arn = source.roleARN, let node = fields["role_arn"], RoleARN(arn) == nil {
            throw error(
                node, "\(key).role_arn", "'\(arn)' is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT-ID:role/NAME)")
        }
        source.externalID = try optionalString(fields, "external_id", key: key)
        source.roleSessionName = try optionalString(fields, "role_session_name", key: key)
        for (name, value) in [("external_id", source.externalID), ("role_session_name", source.roleSessionName)]
        where value != nil && source.roleARN == nil {
            throw error(fields[name]!, "\(key).\(name)", "needs role_arn on the same source")
        }
        if let external = source.externalID, let node = fields["external_id"],
            !RoleARN.isValidExternalID(external)
        {
            throw error(node, "\(key).external_id", "must be 2 to 1224 characters of letters, digits and +=,.@:/-")
        }
        if let session = source.roleSessionName, let node = fields["role_session_name"],
            !RoleARN.isValidSessionName(session)
        {
            throw error(node, "\(key).role_session_name", "must be 2 to 64 characters of letters, digits and +=,.@-")
        }
    }

    private func parseProfile(
        _ node: Node, key: String, base: URL, sources: [String], rules fileRules: Hostname.Rules
    ) throws(ConfigError) -> ProfileConfig {
        let fields = try mapping(
            node, key: key,
            allowed: [
                "name", "description", "prefixes", "address", "hostnames", "include", "sources", "hostname-rules",
            ])
        let rules =
            try fields["hostname-rules"].map { node throws(ConfigError) in
                try hostnameRules(node, "\(key).hostname-rules")
            } ?? fileRules
        let name = try requiredString(fields, "name", in: node, key: key)
        guard ProfileName.isValid(name) else {
            throw error(
                fields["name"]!, "\(key).name", "'\(name)' is not a valid profile name ([a-z0-9][a-z0-9-]*, at most 63)"
            )
        }
        guard let prefixesNode = fields["prefixes"] else { throw error(node, "\(key).prefixes", "missing") }
        let prefixes = try stringList(prefixesNode, key: "\(key).prefixes")
        if prefixes.isEmpty || prefixes.contains(where: \.isEmpty) {
            throw error(prefixesNode, "\(key).prefixes", "list at least one non-empty Prefix tag value")
        }
        let addressText = try requiredString(fields, "address", in: node, key: key)
        guard let address = AddressKind(rawValue: addressText) else {
            throw error(fields["address"]!, "\(key).address", "must be public, private or ipv6 (got '\(addressText)')")
        }
        var hostnames: [HostnameTemplate] = []
        if let templatesNode = fields["hostnames"] {
            for (index, text) in try stringList(templatesNode, key: "\(key).hostnames").enumerated() {
                do {
                    hostnames.append(try HostnameTemplate(parsing: text, rules: rules))
                } catch {
                    throw self.error(templatesNode, "\(key).hostnames[\(index)]", error.description)
                }
            }
            if hostnames.isEmpty { throw error(templatesNode, "\(key).hostnames", "list at least one template") }
        } else {
            hostnames = [try! HostnameTemplate(parsing: "{name}", rules: rules)]
        }
        var include: [ProfileConfig.Include] = []
        if let includeNode = fields["include"] {
            for text in try stringList(includeNode, key: "\(key).include") {
                let resolved = text.hasPrefix("/") ? text : base.appendingPathComponent(text).standardizedFileURL.path
                include.append(ProfileConfig.Include(written: text, path: resolved))
            }
        }
        var used = sources
        if let sourcesNode = fields["sources"] {
            used = try stringList(sourcesNode, key: "\(key).sources")
            if used.isEmpty {
                throw error(sourcesNode, "\(key).sources", "list at least one source (or leave it out: all)")
            }
            for (position, source) in used.enumerated() {
                if !sources.contains(source) {
                    throw error(
                        sourcesNode, "\(key).sources[\(position)]",
                        "unknown source '\(source)' (one of \(sources.joined(separator: ", ")))")
                }
                if used[..<position].contains(source) {
                    throw error(sourcesNode, "\(key).sources[\(position)]", "source '\(source)' is listed twice")
                }
            }
        }
        return ProfileConfig(
            name: name, description: try optionalString(fields, "description", key: key), prefixes: prefixes,
            address: address, hostnames: hostnames, include: include, sources: used, hostnameRules: rules)
    }

    /// `views:`: each view's fields and ranges are read here (for line numbers), then checked as a whole by
    /// HostsCore's ``ViewRecord/validate(profiles:)``, the same check hosts-server makes on load.
    private func parseViews(_ node: Node, profiles: Set<String>) throws(ConfigError) -> [ViewRecord] {
        var views: [ViewRecord] = []
        for (index, viewNode) in try sequence(node, key: "views").enumerated() {
            let key = "views[\(index)]"
            let fields = try mapping(viewNode, key: key, allowed: ["name", "choose"])
            let name = try requiredString(fields, "name", in: viewNode, key: key)
            guard let chooseNode = fields["choose"] else { throw error(viewNode, "\(key).choose", "missing") }
            var choices: [ViewChoice] = []
            var choiceNodes: [Node] = []
            for (position, choiceNode) in try sequence(chooseNode, key: "\(key).choose").enumerated() {
                let choiceKey = "\(key).choose[\(position)]"
                let choiceFields = try mapping(choiceNode, key: choiceKey, allowed: ["profile", "from"])
                let profile = try requiredString(choiceFields, "profile", in: choiceNode, key: choiceKey)
                var from: [CIDR]?
                if let fromNode = choiceFields["from"] {
                    var ranges: [CIDR] = []
                    for (item, text) in try stringList(fromNode, key: "\(choiceKey).from").enumerated() {
                        do {
                            ranges.append(try CIDR(parsing: text))
                        } catch {
                            throw self.error(fromNode, "\(choiceKey).from[\(item)]", error.description)
                        }
                    }
                    from = ranges
                }
                choices.append(ViewChoice(profile: profile, from: from))
                choiceNodes.append(choiceNode)
            }
            let view = ViewRecord(name: name, choose: choices)
            do {
                try view.validate(profiles: profiles)
            } catch {
                // Point at the choice the problem is in when there is one.
                let position = error.key.hasPrefix("choose[") ? Int(error.key.dropFirst(7).prefix { $0 != "]" }) : nil
                let at = position.map { choiceNodes[$0] } ?? (error.key == "name" ? fields["name"]! : viewNode)
                throw self.error(at, "\(key).\(error.key)", error.reason)
            }
            if views.contains(where: { $0.name == name }) {
                throw error(fields["name"]!, "\(key).name", "duplicate view name '\(name)'")
            }
            views.append(view)
        }
        return views
    }

    // MARK: Node access

    private func hostnameRules(_ node: Node, _ key: String) throws(ConfigError) -> Hostname.Rules {
        guard let text = node.scalar?.string, let rules = Hostname.Rules(rawValue: text) else {
            throw error(
                node, key,
                "must be strict (letters, digits, hyphens) or permissive (underscores kept too), not "
                    + "'\(node.scalar?.string ?? "a list or mapping")'")
        }
        return rules
    }

    /// A duration in HostsCore's one grammar (`30s`, `5m`, `1h30m`), within `range`.
    private func interval(_ node: Node, _ key: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let text = node.scalar?.string else { throw error(node, key, "must be a duration such as 30s or 5m") }
        do {
            return try Interval(parsing: text).checked(key, in: range).seconds
        } catch {
            throw self.error(node, key, error.description)
        }
    }

    private func mapping(_ node: Node, key: String, allowed: Set<String>) throws(ConfigError) -> [String: Node] {
        guard let mapping = node.mapping else { throw error(node, key, "must be a mapping (key: value)") }
        var out: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? ""
            let path = key.isEmpty ? name : "\(key).\(name)"
            guard allowed.contains(name) else {
                throw error(keyNode, path, "unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            out[name] = value
        }
        return out
    }

    private func sequence(_ node: Node, key: String) throws(ConfigError) -> [Node] {
        guard let sequence = node.sequence else { throw error(node, key, "must be a list") }
        return Array(sequence)
    }

    private func stringList(_ node: Node, key: String) throws(ConfigError) -> [String] {
        var out: [String] = []
        for (index, item) in try sequence(node, key: key).enumerated() {
            guard let text = item.scalar?.string else { throw error(item, "\(key)[\(index)]", "must be a string") }
            out.append(text)
        }
        return out
    }

    private func requiredString(_ fields: [String: Node], _ name: String, in parent: Node, key: String)
        throws(ConfigError) -> String
    {
        guard let value = try optionalString(fields, name, key: key) else {
            throw error(parent, "\(key).\(name)", "missing")
        }
        return value
    }

    private func optionalString(_ fields: [String: Node], _ name: String, key: String) throws(ConfigError) -> String? {
        guard let node = fields[name] else { return nil }
        let path = key.isEmpty ? name : "\(key).\(name)"
        guard let text = node.scalar?.string else { throw error(node, path, "must be a string") }
        if text.isEmpty { throw error(node, path, "must not be empty") }
        return text
    }

    private func error(_ node: Node, _ key: String, _ reason: String) -> ConfigError {
        ConfigError(path: path, line: node.mark?.line, key: key, reason: reason)
    }

    /// The line and a one-line problem (YamlError's own description spans several lines).
    private static func describe(_ error: YamlError) -> (Int?, String) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return (mark.line, problem)
        default:
            return (nil, "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "")
        }
    }
}
