import Foundation
import HostsCore

/// What `check` verifies beyond parsing: includes read and parse strictly, every source resolves to a region and
/// an endpoint. Returns the text printed on success.
enum ConfigCheck {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(path: String, environment: ProcessEnvironment) throws -> String {
        let config = try ConfigLoader.load(path: path)
        var out = ""
        for (index, source) in config.sources.enumerated() {
            do {
                let endpoint = try EC2Endpoint.resolve(
                    region: source.region, endpoint: source.endpoint, environment: environment,
                    profile: source.profile)
                // The plan is made from the shared files as they are now, without a request: a named profile that
                // is missing or incomplete fails here.
                let plan = try SourceIdentity.plan(source, environment: environment)
                out +=
                    "source \(source.name): \(endpoint.region) \(endpoint.url.absoluteString), timeout "
                    + "\(Interval(seconds: source.timeout)); credentials: \(plan.description)\n"
            } catch {
                throw ConfigError(path: path, key: "sources[\(index)]", reason: "\(source.name): \(error)")
            }
        }
        for (index, profile) in config.profiles.enumerated() {
            var entries = 0
            for (position, include) in profile.include.enumerated() {
                do {
                    entries += try IncludedSegment.load(include, rules: profile.hostnameRules).entries.count
                } catch {
                    throw ConfigError(path: path, key: "profiles[\(index)].include[\(position)]", reason: error.reason)
                }
            }
            let templates = profile.hostnames.map(\.description).joined(separator: " ")
            out +=
                "profile \(profile.name): \(profile.address.rawValue) addresses of \(profile.prefixes.joined(separator: ", ")); "
                + "hostnames \(templates) (\(profile.hostnameRules.rawValue) rules); sources \(profile.sources.joined(separator: ", ")); "
                + "\(profile.include.count) include(s), \(entries) static entries\n"
        }
        for view in config.views {
            let steps = view.choose.map { choice in
                choice.from.map { "\(choice.profile) from \($0.map(\.description).joined(separator: ", "))" }
                    ?? "else \(choice.profile)"
            }
            out += "view \(view.name): \(steps.joined(separator: "; "))\n"
        }
        for source in config.sources where config.prefixes(of: source.name).isEmpty {
            out += "warning: source \(source.name) is used by no profile (it is not queried)\n"
        }
        out += "output \(config.output)\nok\n"
        return out
    }
}
