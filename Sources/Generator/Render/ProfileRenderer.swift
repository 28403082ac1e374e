import HostsCore

/// One source's instances, as a profile renderer takes them.
struct SourceInventory: Sendable {
    var source: String
    var instances: [EC2Instance]
}

/// A static include, already read and validated with the strict parser.
struct IncludedSegment: Sendable {
    var path: String
    var entries: [HostsEntry]
}

/// Two instances (or an instance and a static entry) that want the same name.
struct DuplicateName: Sendable, Equatable, CustomStringConvertible {
    var hostname: String
    var kept: String
    var dropped: String
    var description: String { "duplicate hostname \(hostname): kept \(kept), dropped \(dropped)" }
}

/// The rendered profile, ready to publish.
struct RenderedProfile: Sendable {
    var name: String
    var description: String?
    var content: String
    /// Address lines in `content`.
    var entries: Int
    var stats: [String: RenderStats]
    var duplicates: [DuplicateName]
}

/// Turns inventories into one profile's hosts file.
///
/// Rules (documented in the README of Profiles/):
/// - an instance belongs to the profile when its `Prefix` tag is one of the profile's prefixes (exact match);
/// - it gets the address of the profile's kind (`ipAddress`, `privateIpAddress`, IPv6); without one it is skipped;
/// - each hostname template is expanded with sanitized labels (see `HostnameTemplate`); a template whose
///   placeholder has no value gives no name; no name at all skips the instance;
/// - when several instances want one name the earliest launched keeps it (then the smallest instance id, then
///   the first source); the others lose that name and a warning says so;
/// - static includes come last and win over instances for the names they list, since they are kept by hand.
struct ProfileRenderer {
    var profile: ProfileConfig
    var states: [String]
    var sourceNames: [String]

    func render(_ inventories: [SourceInventory], includes: [IncludedSegment]) -> RenderedProfile {
        let prefixes = Set(profile.prefixes)
        let states = Set(self.states)
        var stats: [String: RenderStats] = [:]
        var candidates: [Candidate] = []
        for (sourceIndex, inventory) in inventories.enumerated() {
            var counters = RenderStats()
            for instance in inventory.instances {
                guard let prefix = instance.tags["Prefix"], prefixes.contains(prefix) else { continue }
                counters.matched += 1
                if let state = instance.state, !states.contains(state) {
                    counters.skipped[.state, default: 0] += 1
                    continue
                }
                switch candidate(for: instance, sourceIndex: sourceIndex, source: inventory.source) {
                case .success(let candidate):
                    candidates.append(candidate)
                case .failure(let reason):
                    counters.skipped[reason, default: 0] += 1
                }
            }
            stats[inventory.source] = counters
        }

        // Static names first: they are not given up.
        var owner: [Hostname: Owner] = [:]
        for segment in includes {
            for entry in segment.entries {
                for name in entry.hostnames where owner[name] == nil {
                    owner[name] = .included("\(segment.path):\(entry.line) (\(entry.address))")
                }
            }
        }
        var duplicates: [DuplicateName] = []
        var entries: [HostsEntry] = []
        candidates.sort(by: Candidate.precedes)
        for (index, candidate) in candidates.enumerated() {
            var names: [Hostname] = []
            for name in candidate.hostnames {
                switch owner[name] {
                case nil:
                    owner[name] = .instance(index)
                    names.append(name)
                case .instance(let otherIndex)
                where candidates[otherIndex].instance.instanceID == candidate.instance.instanceID
                    && candidates[otherIndex].address == candidate.address:
                    continue  // the same instance seen twice (e.g. two sources on one endpoint)
                case .instance(let otherIndex):
                    duplicates.append(
                        DuplicateName(
                            hostname: name.value, kept: candidates[otherIndex].label, dropped: candidate.label))
                case .included(let where_):
                    duplicates.append(DuplicateName(hostname: name.value, kept: where_, dropped: candidate.label))
                }
            }
            if names.isEmpty {
                stats[candidate.source, default: RenderStats()].skipped[.duplicate, default: 0] += 1
            } else {
                stats[candidate.source, default: RenderStats()].kept += 1
                entries.append(HostsEntry(address: candidate.address, hostnames: names))
            }
        }
        for segment in includes {
            entries.append(contentsOf: segment.entries.map { HostsEntry(address: $0.address, hostnames: $0.hostnames) })
        }

        let content = HostsRenderer.render(entries, header: header(includes: includes))
        return RenderedProfile(
            name: profile.name, description: profile.description, content: content,
            entries: Set(entries.map(\.address)).count, stats: stats, duplicates: duplicates)
    }

    /// No timestamp: the same inventory must give the same bytes.
    private func header(includes: [IncludedSegment]) -> [String] {
        var lines = [
            "profile \(profile.name) — generated by hosts-generator from sources \(sourceNames.joined(separator: ", ")); do not edit"
        ]
        if let description = profile.description { lines.append(description) }
        if !includes.isEmpty {
            lines.append("includes: " + profile.include.map(\.written).joined(separator: ", "))
        }
        return lines
    }

    private func candidate(for instance: EC2Instance, sourceIndex: Int, source: String) -> Result<Candidate, SkipReason>
    {
        let text: String?
        switch profile.address {
        case .public: text = instance.publicIPAddress
        case .private: text = instance.privateIPAddress
        case .ipv6: text = instance.ipv6Address
        }
        guard let text else { return .failure(.noAddress) }
        guard let address = IPAddress(text), (address.family == .v6) == (profile.address == .ipv6) else {
            return .failure(.badAddress)
        }
        var names: [Hostname] = []
        for template in profile.hostnames {
            if let name = template.hostname(for: instance), !names.contains(name) { names.append(name) }
        }
        if names.isEmpty {
            let nameless = instance.tags["Name"].flatMap(Hostname.sanitizeLabel) == nil
            return .failure(nameless && profile.hostnames.contains(where: \.usesName) ? .noName : .noHostname)
        }
        return .success(
            Candidate(
                instance: instance, address: address, hostnames: names, sourceIndex: sourceIndex, source: source))
    }

    private struct Candidate: Sendable {
        var instance: EC2Instance
        var address: IPAddress
        var hostnames: [Hostname]
        var sourceIndex: Int
        var source: String

        var label: String { "\(instance.instanceID) (\(address)) from \(source)" }

        /// Earliest launch first, then smallest instance id, then source order: stable whatever the API order.
        static func precedes(_ lhs: Candidate, _ rhs: Candidate) -> Bool {
            let left = lhs.instance.launchTime ?? "~"
            let right = rhs.instance.launchTime ?? "~"
            if left != right { return left < right }
            if lhs.instance.instanceID != rhs.instance.instanceID {
                return lhs.instance.instanceID < rhs.instance.instanceID
            }
            return lhs.sourceIndex < rhs.sourceIndex
        }
    }

    /// Who holds a name. An instance is its index in the sorted candidates: a whole `Candidate` per name would
    /// make this table several megabytes at 10,000 instances.
    private enum Owner {
        case instance(Int)
        case included(String)
    }
}
