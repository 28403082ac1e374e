import Foundation
import HostsCore
import Logging

/// A source that did not answer in full: its profiles keep their published version.
struct SourceFailure: Error, Sendable, CustomStringConvertible {
    var source: String
    var reason: String
    var description: String { reason }
}

/// A profile that was not rendered this pass, and why.
struct ProfileFailure: Sendable {
    var profile: String
    var reason: String
}

/// The outcome of one pass: what was published, refused, or not rendered, and the exit status that says so.
struct PassReport: Sendable {
    var plan: PublishPlan
    var sweeps: [SweepResult]
    var profiles: [RenderedProfile]
    var sourceFailures: [SourceFailure] = []
    var profileFailures: [ProfileFailure] = []
    /// The write failed (nothing was changed).
    var publishError: PublishError?
    var dryRun: Bool

    /// 0 everything published (or unchanged); 1 a source, include or write failed (so some profile was not
    /// published); 3 only refusals by the shrink guard.
    var exitCode: Int32 {
        if !profileFailures.isEmpty || publishError != nil { return 1 }
        return plan.refusals.isEmpty ? 0 : 3
    }

    /// One line per problem, for stderr: each failed source or include (with the profiles it held back), the
    /// write error, each refusal.
    var errors: [String] {
        var out: [String] = []
        for failure in sourceFailures {
            let held = profileFailures.filter { $0.reason == Self.sourceReason(failure.source) }.map(\.profile)
            out.append("\(failure)" + (held.isEmpty ? "" : "; not published: \(held.joined(separator: ", "))"))
        }
        for failure in profileFailures where !failure.reason.hasPrefix("source ") {
            out.append("profile \(failure.profile): \(failure.reason); not published")
        }
        if let publishError {
            out.append("\(publishError); not published: \(plan.actions.map(\.profile).joined(separator: ", "))")
        }
        out.append(contentsOf: plan.refusals)
        return out
    }

    static func sourceReason(_ source: String) -> String { "source \(source) failed" }
}

/// One generation pass: read the includes, sweep every source concurrently, render each profile whose sources
/// all answered, publish those (all or nothing). A failed source or include holds back only the profiles that use
/// it; the others are published.
struct GenerationPass: Sendable {
    var config: GeneratorConfig
    var output: String
    var dryRun = false
    var force = ForceRule.none
    var environment: ProcessEnvironment
    var transport: HTTPTransport
    /// Credentials per identity, kept across passes.
    var credentials: CredentialsRegistry
    var logger: Logger

    func run(now: @Sendable () -> Date = Date.init) async throws(PassError) -> PassReport {
        let signer = try loadSigner()
        let includes = loadIncludes()
        let sweeps = await sweepAll()
        var succeeded: [String: SweepResult] = [:]
        var sourceFailures: [SourceFailure] = []
        for (source, result) in sweeps {
            switch result {
            case .success(let sweep): succeeded[source] = sweep
            case .failure(let failure): sourceFailures.append(failure)
            }
        }
        var rendered: [RenderedProfile] = []
        var profileFailures: [ProfileFailure] = []
        for profile in config.profiles {
            // An include is checked first: a file to fix by hand is the more useful message.
            let segments: [IncludedSegment]
            switch includes[profile.name] ?? .success([]) {
            case .success(let value): segments = value
            case .failure(let failure):
                profileFailures.append(ProfileFailure(profile: profile.name, reason: failure.reason))
                continue
            }
            if let failed = profile.sources.first(where: { succeeded[$0] == nil }) {
                profileFailures.append(ProfileFailure(profile: profile.name, reason: PassReport.sourceReason(failed)))
                continue
            }
            let inventories = profile.sources.map { SourceInventory(source: $0, instances: succeeded[$0]!.instances) }
            let renderer = ProfileRenderer(profile: profile, states: config.states, sourceNames: profile.sources)
            let result = renderer.render(inventories, includes: segments)
            for source in profile.sources {
                let stats = result.stats[source] ?? RenderStats()
                logger.info(
                    "profile rendered",
                    metadata: [
                        "profile": "\(profile.name)", "source": "\(source)", "matched": "\(stats.matched)",
                        "kept": "\(stats.kept)", "skipped": "\(stats.skippedSummary)",
                    ])
            }
            rendered.append(result)
        }
        logFindings(rendered)
        let publisher = Publisher(
            directory: output, shrinkGuard: ShrinkGuard(fraction: config.shrinkGuard), force: force, signer: signer,
            views: config.views)
        var plan = publisher.plan(rendered)
        var publishError: PublishError?
        if !dryRun && !rendered.isEmpty {
            do {
                plan = try publisher.publish(rendered, at: now())
                for action in plan.actions where action.refusal == nil {
                    logger.info(
                        "published",
                        metadata: [
                            "profile": "\(action.profile)", "entries": "\(action.entries)",
                            "change": "\(action.change)", "path": "\(action.path)",
                        ])
                }
            } catch {
                publishError = error
            }
        }
        let ordered = config.sources.map(\.name).compactMap { succeeded[$0] }
        return PassReport(
            plan: plan, sweeps: ordered, profiles: rendered, sourceFailures: sourceFailures,
            profileFailures: profileFailures, publishError: publishError, dryRun: dryRun)
    }

    /// One warning per duplicated name and per shared address, and one line per skipped instance, for the whole
    /// pass: profiles that see the same instances say it once, naming the profiles (the first profile's decision
    /// is the one described).
    private func logFindings(_ rendered: [RenderedProfile]) {
        var duplicates = Findings<String, DuplicateName>()
        var shared = Findings<String, SharedAddress>()
        var skipped = Findings<String, SkippedInstance>()
        for profile in rendered {
            for item in profile.duplicates { duplicates.add(item, key: item.hostname, profile: profile.name) }
            for item in profile.sharedAddresses { shared.add(item, key: item.address, profile: profile.name) }
            for item in profile.skipped {
                skipped.add(item, key: "\(item.source) \(item.instanceID) \(item.reason)", profile: profile.name)
            }
        }
        for (item, profiles) in duplicates.items {
            logger.warning("\(item)", metadata: ["profiles": "\(profiles.joined(separator: ","))"])
        }
        for (item, profiles) in shared.items {
            logger.warning("\(item)", metadata: ["profiles": "\(profiles.joined(separator: ","))"])
        }
        for (item, profiles) in skipped.items {
            logger.info(
                "instance skipped",
                metadata: [
                    "instance": "\(item.instanceID)", "name": "\(item.name ?? "")", "source": "\(item.source)",
                    "reason": "\(item.reason.rawValue)", "profiles": "\(profiles.joined(separator: ","))",
                ])
        }
    }

    /// The signer for `signing-key:`, read every pass so that a rotated key file is picked up without a restart.
    func loadSigner() throws(PassError) -> ProfileSigner? {
        guard let path = config.signingKey else { return nil }
        do {
            return ProfileSigner(key: try SigningKey(contentsOf: path))
        } catch {
            throw .signingKey("\(error)")
        }
    }

    /// Every profile's includes, parsed with the strict parser under its hostname rules: a bad line holds back
    /// that profile.
    func loadIncludes() -> [String: Result<[IncludedSegment], IncludeFailure>] {
        var out: [String: Result<[IncludedSegment], IncludeFailure>] = [:]
        for profile in config.profiles {
            out[profile.name] = Result { () throws(IncludeFailure) in
                try profile.include.map { include throws(IncludeFailure) in
                    try IncludedSegment.load(include, rules: profile.hostnameRules)
                }
            }
        }
        return out
    }

    /// The client for one source: its endpoint and its identity (planned from its keys and the shared files as they
    /// are now; the credentials themselves are fetched, and kept across passes, by the registry's cache).
    func client(for source: SourceConfig) async -> Result<EC2QueryClient, SourceFailure> {
        let endpoint: EC2Endpoint
        let identity: SourceIdentity
        do {
            endpoint = try EC2Endpoint.resolve(
                region: source.region, endpoint: source.endpoint, environment: environment, profile: source.profile)
        } catch {
            return .failure(SourceFailure(source: source.name, reason: "source \(source.name): \(error)"))
        }
        do {
            identity = try SourceIdentity.resolve(
                source, endpoint: endpoint, environment: environment, transport: transport)
        } catch {
            return .failure(SourceFailure(source: source.name, reason: "source \(source.name): \(error)"))
        }
        return .success(
            EC2QueryClient(
                source: source.name, endpoint: endpoint, transport: transport,
                credentials: await credentials.cache(plan: identity.plan, context: identity.context),
                retry: config.retry, logger: logger))
    }

    /// One DescribeInstances sweep per source that some profile uses, all at once, each cut at its `timeout:`.
    /// A failure ends only its own source.
    func sweepAll() async -> [(String, Result<SweepResult, SourceFailure>)] {
        var clients: [(SourceConfig, EC2QueryClient)] = []
        var out: [(String, Result<SweepResult, SourceFailure>)] = []
        for source in config.sources where !config.prefixes(of: source.name).isEmpty {
            switch await client(for: source) {
            case .success(let client): clients.append((source, client))
            case .failure(let failure): out.append((source.name, .failure(failure)))
            }
        }
        let states = config.states
        let logger = logger
        let config = config
        let swept = await withTaskGroup(of: (String, Result<SweepResult, SourceFailure>).self) { group in
            for (source, client) in clients {
                let prefixes = config.prefixes(of: source.name)
                group.addTask {
                    let outcome = await Deadline.run(seconds: source.timeout) {
                        do throws(EC2Error) {
                            return Result<SweepResult, EC2Error>.success(
                                try await client.describeInstances(prefixes: prefixes, states: states))
                        } catch {
                            return .failure(error)
                        }
                    }
                    switch outcome {
                    case .success(let sweep)?:
                        let account = await client.credentials.accountID(ec2IsCustom: client.endpoint.isCustom)
                        logger.info(
                            "source swept",
                            metadata: [
                                "source": "\(sweep.source)", "endpoint": "\(client.endpoint.url.absoluteString)",
                                "credentials": "\(client.credentials.plan.description)", "account": "\(account)",
                                "pages": "\(sweep.pages)", "instances": "\(sweep.instances.count)",
                                "requests": "\(sweep.attempts)", "seconds": "\(String(format: "%.3f", sweep.seconds))",
                            ])
                        return (source.name, .success(sweep))
                    case .failure(let error)?:
                        return (source.name, .failure(SourceFailure(source: source.name, reason: "\(error)")))
                    case nil:
                        let reason =
                            "source \(source.name): no complete answer from \(client.endpoint.url.absoluteString) "
                            + "within \(Interval(seconds: source.timeout)) (its timeout:); cut"
                        return (source.name, .failure(SourceFailure(source: source.name, reason: reason)))
                    }
                }
            }
            var results: [(String, Result<SweepResult, SourceFailure>)] = []
            for await result in group { results.append(result) }
            return results
        }
        out.append(contentsOf: swept)
        let order = config.sources.map(\.name)
        return out.sorted { order.firstIndex(of: $0.0)! < order.firstIndex(of: $1.0)! }
    }
}

/// Things found while rendering, once per key in the order first found, with the profiles that found them.
private struct Findings<Key: Hashable, Item> {
    private var order: [Key] = []
    private var found: [Key: (Item, [String])] = [:]

    mutating func add(_ item: Item, key: Key, profile: String) {
        if found[key] == nil {
            order.append(key)
            found[key] = (item, [profile])
        } else if found[key]!.1.last != profile {
            found[key]!.1.append(profile)
        }
    }

    var items: [(Item, [String])] { order.map { found[$0]! } }
}
