import Foundation
import TestSupport

/// Runs the real `hosts-generator` binary.
enum GeneratorRun {
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> BuiltProducts.Result {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") { environment[key] = nil }
        environment["AWS_ACCESS_KEY_ID"] = "test"
        environment["AWS_SECRET_ACCESS_KEY"] = "test"
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["HOME"] = NSTemporaryDirectory()
        environment.merge(extra) { $1 }
        return try BuiltProducts.run(try BuiltProducts.path(of: "hosts-generator"), arguments, environment: environment)
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
