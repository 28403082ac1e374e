import HostsCore

/// One source's instances, as a profile renderer takes them.
struct SourceInventory: Sendable {
    var source: String
    var instances: [EC2Instance]
}

/// Several instances (or an instance and a static entry) that want one name: who kept it, who lost it.
struct DuplicateName: Sendable, Equatable, CustomStringConvertible {
    var hostname: String
    var kept: String
    var dropped: [String]
    var description: String {
        "duplicate hostname \(hostname): kept \(kept); dropped \(dropped.joined(separator: ", "))"
    }
}

/// Different instances on one address: each keeps its names, on its own line.
struct SharedAddress: Sendable, Equatable, CustomStringConvertible {
    var address: String
    var instances: [String]
    var description: String {
        "address \(address) is used by \(instances.count) instances: \(instances.joined(separator: ", ")); "
            + "each kept on its own line"
    }
}

/// An instance that matched the profile's prefixes and is not in it.
struct SkippedInstance: Sendable, Equatable {
    var instanceID: String
    var name: String?
    var source: String
    var reason: SkipReason
}

/// The rendered profile, ready to publish.
struct RenderedProfile: Sendable {
    var name: String
    var description: String?
    var content: String
    /// Distinct addresses in `content`.
    var entries: Int
    var stats: [String: RenderStats]
    var duplicates: [DuplicateName]
    var sharedAddresses: [SharedAddress] = []
    var skipped: [SkippedInstance] = []
}

/// Turns inventories into one profile's hosts file.
///
/// Rules (documented in the README of Profiles/):
/// - an instance belongs to the profile when its `Prefix` tag is one of the profile's prefixes (exact match);
/// - it gets the address of the profile's kind (`ipAddress`, `privateIpAddress`, IPv6); without one it is skipped;
/// - each hostname template is expanded with sanitized labels (see `HostnameTemplate`); a template whose
///   placeholder has no value gives no name; no name at all skips the instance;
/// - when several instances want one name, a running one beats any other state, then the most recently launched
///   wins (then the smallest instance id, then the first source); the others lose that name and one warning per
///   name says so;
/// - different instances on one address each keep their own line, and a warning says so;
/// - static includes come last and win over instances for the names they list, since they are kept by hand.
struct ProfileRenderer {
    var profile: ProfileConfig
    var states: [String]
    var sourceNames: [String]

    func render(_ inventories: [SourceInventory], includes: [IncludedSegment]) -> RenderedProfile {
        let prefixes = Set(profile.prefixes)
        let states = Set(self.states)
        var stats: [String: RenderStats] = [:]
        var skipped: [SkippedInstance] = []
        var candidates: [Candidate] = []
        for (sourceIndex, inventory) in inventories.enumerated() {
            var counters = RenderStats()
            for instance in inventory.instances {
                guard let prefix = instance.tags["Prefix"], prefixes.contains(prefix) else { continue }
                counters.matched += 1
                let outcome: Result<Candidate, SkipReason>
                if let state = instance.state, !states.contains(state) {
                    outcome = .failure(.state)
                } else {
                    outcome = candidate(for: instance, sourceIndex: sourceIndex, source: inventory.source)
                }
                switch outcome {
                case .success(let candidate):
                    candidates.append(candidate)
                case .failure(let reason):
                    counters.skipped[reason, default: 0] += 1
                    skipped.append(
                        SkippedInstance(
                            instanceID: instance.instanceID, name: instance.tags["Name"], source: inventory.source,
                            reason: reason))
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
        var lost: [Hostname: [Int]] = [:]
        var entries: [HostsEntry] = []
        var lines: [Int] = []
        candidates.sort(by: Candidate.precedes)
        // The same instance seen through two sources (two sources on one endpoint) is listed once, silently.
        var seen: Set<SightingKey> = []
        candidates = candidates.filter {
            seen.insert(SightingKey(id: $0.instance.instanceID, address: $0.address)).inserted
        }
        for (index, candidate) in candidates.enumerated() {
            var names: [Hostname] = []
            for name in candidate.hostnames {
                switch owner[name] {
                case nil:
                    owner[name] = .instance(index)
                    names.append(name)
                case .instance, .included:
                    lost[name, default: []].append(index)
                }
            }
            if names.isEmpty {
                stats[candidate.source, default: RenderStats()].skipped[.duplicate, default: 0] += 1
                skipped.append(
                    SkippedInstance(
                        instanceID: candidate.instance.instanceID, name: candidate.instance.tags["Name"],
                        source: candidate.source, reason: .duplicate))
            } else {
                stats[candidate.source, default: RenderStats()].kept += 1
                entries.append(HostsEntry(address: candidate.address, hostnames: names))
                lines.append(index)
            }
        }
        var duplicates: [DuplicateName] = []
        for name in lost.keys.sorted() {
            let kept: String
            switch owner[name] {
            case .instance(let index): kept = candidates[index].label
            case .included(let place): kept = place
            case nil: continue
            }
            duplicates.append(
                DuplicateName(hostname: name.value, kept: kept, dropped: lost[name]!.map { candidates[$0].label }))
        }
        let sharedAddresses = Self.sharedAddresses(lines.map { candidates[$0] })
        for segment in includes {
            entries.append(contentsOf: segment.entries.map { HostsEntry(address: $0.address, hostnames: $0.hostnames) })
        }

        // The index's `entries` are the file's address lines (as clients count them), not its distinct addresses:
        // two instances on one address are two lines.
        let (content, addressLines) = HostsRenderer.renderCountingLines(
            entries, header: header(includes: includes), entriesApart: true)
        return RenderedProfile(
            name: profile.name, description: profile.description, content: content,
            entries: addressLines, stats: stats, duplicates: duplicates,
            sharedAddresses: sharedAddresses, skipped: skipped)
    }

    /// Addresses that more than one instance got, in address order.
    private static func sharedAddresses(_ published: [Candidate]) -> [SharedAddress] {
        var byAddress: [IPAddress: [Candidate]] = [:]
        for candidate in published { byAddress[candidate.address, default: []].append(candidate) }
        return byAddress.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }.map {
            SharedAddress(address: $0.key.description, instances: $0.value.map(\.label))
        }
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
            let nameless =
                instance.tags["Name"].flatMap { Hostname.sanitizeLabel($0, rules: profile.hostnameRules) } == nil
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

        var label: String {
            let launched = instance.launchTime.map { ", launched \($0)" } ?? ""
            return "\(instance.instanceID) (\(address), \(instance.state ?? "state unknown")\(launched)) from \(source)"
        }

        /// Running first, then the latest launch, then the smallest instance id, then source order: stable whatever
        /// the API order. Launch times are compared as AWS writes them (ISO 8601, UTC); none sorts last.
        static func precedes(_ lhs: Candidate, _ rhs: Candidate) -> Bool {
            let leftRunning = lhs.instance.state == "running"
            let rightRunning = rhs.instance.state == "running"
            if leftRunning != rightRunning { return leftRunning }
            let left = lhs.instance.launchTime ?? ""
            let right = rhs.instance.launchTime ?? ""
            if left != right { return left > right }
            if lhs.instance.instanceID != rhs.instance.instanceID {
                return lhs.instance.instanceID < rhs.instance.instanceID
            }
            return lhs.sourceIndex < rhs.sourceIndex
        }
    }

    private struct SightingKey: Hashable {
        var id: String
        var address: IPAddress
    }

    /// Who holds a name. An instance is its index in the sorted candidates: a whole `Candidate` per name would
    /// make this table several megabytes at 10,000 instances.
    private enum Owner {
        case instance(Int)
        case included(String)
    }
}
