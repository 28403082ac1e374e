import Foundation
import HostsCore
import Logging

/// The outcome of one successful pass.
struct PassReport: Sendable {
    var plan: PublishPlan
    var sweeps: [SweepResult]
    var profiles: [RenderedProfile]
    var dryRun: Bool
}

/// One generation pass: read the includes, sweep every source concurrently, render every profile, publish.
/// Everything that can fail is done before the first write.
struct GenerationPass: Sendable {
    var config: GeneratorConfig
    var output: String
    var dryRun = false
    var force = false
    var environment: ProcessEnvironment
    var transport: HTTPTransport
    /// Credentials per identity, kept across passes.
    var credentials: CredentialsRegistry
    var logger: Logger

    func run(now: @Sendable () -> Date = Date.init) async throws(PassError) -> PassReport {
        let includes = try loadIncludes()
        let signer = try loadSigner()
        let sweeps = try await sweepAll()
        let inventories = sweeps.map { SourceInventory(source: $0.source, instances: $0.instances) }
        let sourceNames = config.sources.map(\.name)
        var rendered: [RenderedProfile] = []
        for profile in config.profiles {
            let renderer = ProfileRenderer(profile: profile, states: config.states, sourceNames: sourceNames)
            let result = renderer.render(inventories, includes: includes[profile.name] ?? [])
            for duplicate in result.duplicates {
                logger.warning("\(duplicate)", metadata: ["profile": "\(profile.name)"])
            }
            for sweep in sweeps {
                let stats = result.stats[sweep.source] ?? RenderStats()
                logger.info(
                    "profile rendered",
                    metadata: [
                        "profile": "\(profile.name)", "source": "\(sweep.source)", "matched": "\(stats.matched)",
                        "kept": "\(stats.kept)", "skipped": "\(stats.skippedSummary)",
                    ])
            }
            rendered.append(result)
        }
        let publisher = Publisher(
            directory: output, shrinkGuard: ShrinkGuard(fraction: config.shrinkGuard), force: force, signer: signer,
            views: config.views)
        let plan = publisher.plan(rendered)
        if !dryRun {
            do {
                try publisher.publish(rendered, plan: plan, at: now())
            } catch {
                throw .publish(error)
            }
            for action in plan.actions {
                logger.info(
                    "published",
                    metadata: [
                        "profile": "\(action.profile)", "entries": "\(action.entries)", "change": "\(action.change)",
                        "path": "\(action.path)",
                    ])
            }
        }
        return PassReport(plan: plan, sweeps: sweeps, profiles: rendered, dryRun: dryRun)
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

    /// Every profile's includes, parsed with the strict parser: a bad line fails the pass.
    func loadIncludes() throws(PassError) -> [String: [IncludedSegment]] {
        var out: [String: [IncludedSegment]] = [:]
        for profile in config.profiles {
            for include in profile.include {
                guard let data = FileManager.default.contents(atPath: include.path) else {
                    throw .includeUnreadable(profile: profile.name, path: include.path)
                }
                do {
                    let entries = try StrictParser.parse([UInt8](data), source: include.path)
                    out[profile.name, default: []].append(IncludedSegment(path: include.written, entries: entries))
                } catch {
                    throw .include(profile: profile.name, error)
                }
            }
        }
        return out
    }

    /// The client for one source: its endpoint and its identity (planned from its keys and the shared files as they
    /// are now; the credentials themselves are fetched, and kept across passes, by the registry's cache).
    func client(for source: SourceConfig) async throws(PassError) -> EC2QueryClient {
        let endpoint: EC2Endpoint
        do {
            endpoint = try EC2Endpoint.resolve(
                region: source.region, endpoint: source.endpoint, environment: environment, profile: source.profile)
        } catch {
            throw .endpoint(source: source.name, error)
        }
        let identity: SourceIdentity
        do {
            identity = try SourceIdentity.resolve(
                source, endpoint: endpoint, environment: environment, transport: transport)
        } catch {
            throw .credentials(source: source.name, error)
        }
        return EC2QueryClient(
            source: source.name, endpoint: endpoint, transport: transport,
            credentials: await credentials.cache(plan: identity.plan, context: identity.context), retry: config.retry,
            logger: logger)
    }

    /// One DescribeInstances sweep per source, all at once; the first failure cancels the others.
    func sweepAll() async throws(PassError) -> [SweepResult] {
        var clients: [EC2QueryClient] = []
        for source in config.sources {
            clients.append(try await client(for: source))
        }
        let prefixes = config.allPrefixes
        let states = config.states
        let logger = logger
        let results = await withTaskGroup(of: (Int, Result<SweepResult, EC2Error>).self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask {
                    do throws(EC2Error) {
                        let sweep = try await client.describeInstances(prefixes: prefixes, states: states)
                        let account = await client.credentials.accountID(ec2IsCustom: client.endpoint.isCustom)
                        logger.info(
                            "source swept",
                            metadata: [
                                "source": "\(sweep.source)", "endpoint": "\(client.endpoint.url.absoluteString)",
                                "credentials": "\(client.credentials.plan.description)", "account": "\(account)",
                                "pages": "\(sweep.pages)", "instances": "\(sweep.instances.count)",
                                "requests": "\(sweep.attempts)", "seconds": "\(String(format: "%.3f", sweep.seconds))",
                            ])
                        return (index, .success(sweep))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<SweepResult, EC2Error>)] = []
            for await result in group {
                results.append(result)
                if case .failure = result.1 { group.cancelAll() }
            }
            return results
        }
        // The first failure to arrive is the cause; later ones are mostly the cancellations it caused.
        for (_, result) in results {
            if case .failure(let error) = result { throw .source(error) }
        }
        var sweeps: [SweepResult?] = Array(repeating: nil, count: clients.count)
        for (index, result) in results {
            if case .success(let sweep) = result { sweeps[index] = sweep }
        }
        return sweeps.compactMap { $0 }
    }
}
