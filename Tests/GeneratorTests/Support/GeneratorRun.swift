import Foundation
import TestSupport

/// Runs the real `hosts-generator` binary.
enum GeneratorRun {
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> BuiltProducts.Result {
        try BuiltProducts.run(
            try BuiltProducts.path(of: "hosts-generator"), arguments, environment: environment(extra))
    }

    /// The run and its peak resident set size in KiB, measured by `/usr/bin/time` (the kernel's maxrss of the
    /// child), which prints it as the last line of standard error.
    static func measured(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (
        BuiltProducts.Result, peakKiB: Int?
    ) {
        var result = try BuiltProducts.run(
            "/usr/bin/time", ["-f", "peak-rss-kib=%M", try BuiltProducts.path(of: "hosts-generator")] + arguments,
            environment: environment(extra))
        var lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        let peak = lines.last.flatMap { $0.hasPrefix("peak-rss-kib=") ? Int($0.dropFirst(13)) : nil }
        if peak != nil { lines.removeLast() }
        result.stderr = lines.map { $0 + "\n" }.joined()
        return (result, peak)
    }

    /// Static test keys, no instance metadata, a HOME without ~/.aws, then `extra` (an empty value unsets).
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") { environment[key] = nil }
        environment["AWS_ACCESS_KEY_ID"] = "test"
        environment["AWS_SECRET_ACCESS_KEY"] = "test"
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["HOME"] = NSTemporaryDirectory()
        environment.merge(extra) { $1 }
        return environment
    }

    /// A config with two profiles over `prefixes`, against `endpoint`, publishing to `output`.
    static func config(
        endpoint: String, prefixes: [String], output: String, include: String? = nil, extra: String = ""
    ) -> String {
        let list = prefixes.joined(separator: ", ")
        return """
            sources:
              - name: tokyo
                region: ap-northeast-1
                endpoint: \(endpoint)
            profiles:
              - name: office
                description: office network
                prefixes: [\(list)]
                address: public
                hostnames: ["{name}"]
            \(include.map { "    include: [\($0)]" } ?? "")
              - name: remote
                prefixes: [\(list)]
                address: private
                hostnames: ["{name}", "{name}.{prefix}"]
            output: \(output)
            retry:
              max-attempts: 3
              base-delay: 0.01
              max-delay: 0.05
            \(extra)
            """
    }
}
