import Foundation
import TestSupport
import Testing

@testable import Generator

@Suite struct ConfigLoaderTests {
    @Test func exampleProfilesLoad() throws {
        let path = BuiltProducts.packageRoot + "/Profiles/example.yml"
        let config = try ConfigLoader.load(path: path)
        #expect(config.sources.map(\.name) == ["tokyo"])
        #expect(config.sources[0].region == "ap-northeast-1")
        #expect(config.profiles.map(\.name) == ["office", "remote"])
        #expect(config.profiles[0].address == .public)
        #expect(config.profiles[1].address == .private)
        #expect(config.profiles[1].hostnames.map(\.description) == ["{name}", "{name}.{prefix}"])
        #expect(
            config.profiles[0].include.map(\.path) == [
                BuiltProducts.packageRoot + "/Profiles/static/datacenter-office.hosts"
            ])
        #expect(config.prefixes(of: "tokyo") == ["apne1a-prod", "apne1c-prod"])
        #expect(config.shrinkGuard == 0.5)
        #expect(config.states == ["running"])
        let check = try ConfigCheck.run(path: path, environment: ProcessEnvironment(["HOME": "/nonexistent"]))
        #expect(check.contains("4 static entries"))
    }

    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try ConfigLoader(path: "/etc/pd.yml").parse(yaml)
            return nil
        } catch {
            return error
        }
    }

    let valid = """
        sources:
          - name: tokyo
            region: ap-northeast-1
        profiles:
          - name: office
            prefixes: [apne1a-prod]
            address: public
        output: out
        """

    @Test func defaultsAndRelativeOutput() throws {
        let config = try ConfigLoader(path: "/etc/pd/defs.yml").parse(valid)
        #expect(config.output == "/etc/pd/out")
        #expect(config.profiles[0].hostnames.map(\.description) == ["{name}"])
        #expect(config.retry == RetryPolicy())
    }

    /// `hostname-rules:` at the top is every profile's default; a profile's own wins; strict when unset.
    @Test func hostnameRulesAtTheTopAndPerProfile() throws {
        #expect(try ConfigLoader(path: "/etc/pd.yml").parse(valid).profiles[0].hostnameRules == .strict)
        let two = valid.replacingOccurrences(
            of: "output: out",
            with: """
                  - name: legacy
                    prefixes: [apne1a-prod]
                    address: private
                    hostname-rules: strict
                    hostnames: ["{name}.corp"]
                hostname-rules: permissive
                output: out
                """)
        let config = try ConfigLoader(path: "/etc/pd.yml").parse(two)
        #expect(config.hostnameRules == .permissive)
        #expect(config.profiles.map(\.hostnameRules) == [.permissive, .strict])
        #expect(config.profiles.map { $0.hostnames.map(\.rules) } == [[.permissive], [.strict]])
        let bad = error(
            valid.replacingOccurrences(of: "output: out", with: "hostname-rules: [permissive]\noutput: out"))
        #expect(
            bad?.description
                == "/etc/pd.yml:8: hostname-rules: must be strict (letters, digits, hyphens) or permissive "
                + "(underscores kept too), not 'a list or mapping'")
    }

    /// retry delays are durations in HostsCore's one grammar, bounded; `inf` and exponents are none.
    @Test func retryDelaysUseTheIntervalGrammar() throws {
        func retry(_ fields: String) throws -> RetryPolicy {
            try ConfigLoader(path: "/etc/pd.yml").parse(valid + "\nretry:\n" + fields).retry
        }
        #expect(try retry("  base-delay: 0.5\n  max-delay: 1m\n") == RetryPolicy(baseDelay: 0.5, maxDelay: 60))
        #expect(try retry("  base-delay: 2s\n").baseDelay == 2)
        for bad in ["inf", "1e3", "-1", "11m", "nan"] {
            #expect(throws: ConfigError.self, "\(bad)") { try retry("  max-delay: \(bad)\n") }
        }
        let message = error(valid + "\nretry:\n  base-delay: inf\n")?.description ?? ""
        #expect(message.contains("retry.base-delay: invalid duration 'inf'"), "\(message)")
    }

    @Test func errorsNameFileLineAndKey() {
        let badAddress = error(valid.replacingOccurrences(of: "address: public", with: "address: elastic"))
        #expect(
            badAddress?.description
                == "/etc/pd.yml:7: profiles[0].address: must be public, private or ipv6 (got 'elastic')")

        let unknownKey = error(valid.replacingOccurrences(of: "    region:", with: "    regoin:"))
        #expect(unknownKey?.key == "sources[0].regoin")
        #expect(unknownKey?.line == 3)

        let badName = error(valid.replacingOccurrences(of: "name: office", with: "name: Office_1"))
        #expect(badName?.key == "profiles[0].name")

        let badTemplate = error(valid + "\n" + "shrink-guard: 2")
        #expect(badTemplate?.key == "shrink-guard")

        let template = error(
            valid.replacingOccurrences(of: "address: public", with: "address: public\n    hostnames: [\"{nme}\"]"))
        #expect(template?.key == "profiles[0].hostnames[0]")
        #expect(template?.reason.contains("unknown placeholder '{nme}'") == true)

        let literal = error(
            valid.replacingOccurrences(of: "address: public", with: "address: public\n    hostnames: [\"{name}_x\"]"))
        #expect(literal?.key == "profiles[0].hostnames[0]")

        #expect(error("sources: [")?.reason.hasPrefix("not valid YAML") == true)
        #expect(error("profiles: []")?.key == "sources")
        let duplicate = error(
            valid.replacingOccurrences(
                of: "output: out", with: "  - name: office\n    prefixes: [x]\n    address: private"))
        #expect(duplicate?.reason == "duplicate profile name 'office'")
    }

    @Test func profileSourcesAndSourceTimeouts() throws {
        let two = valid.replacingOccurrences(
            of: "    region: ap-northeast-1\n",
            with: "    region: ap-northeast-1\n    timeout: 90s\n  - name: osaka\n    region: ap-northeast-3\n")
        let all = try ConfigLoader(path: "/etc/pd.yml").parse(two)
        #expect(all.profiles[0].sources == ["tokyo", "osaka"], "default: every source")
        #expect(all.sources.map(\.timeout) == [90, 300])
        let bound = try ConfigLoader(path: "/etc/pd.yml").parse(
            two.replacingOccurrences(of: "address: public", with: "address: public\n    sources: [osaka]"))
        #expect(bound.profiles[0].sources == ["osaka"])
        #expect(bound.prefixes(of: "tokyo").isEmpty, "a source no profile uses is not swept")
        #expect(bound.prefixes(of: "osaka") == ["apne1a-prod"])

        let unknown = error(
            two.replacingOccurrences(of: "address: public", with: "address: public\n    sources: [kyoto]"))
        #expect(unknown?.key == "profiles[0].sources[0]")
        #expect(unknown?.reason == "unknown source 'kyoto' (one of tokyo, osaka)")
        let twice = error(
            two.replacingOccurrences(of: "address: public", with: "address: public\n    sources: [osaka, osaka]"))
        #expect(twice?.key == "profiles[0].sources[1]")
        let empty = error(two.replacingOccurrences(of: "address: public", with: "address: public\n    sources: []"))
        #expect(empty?.key == "profiles[0].sources")
        for bad in ["0s", "2h", "soon", "1e3s"] {
            let timeout = error(two.replacingOccurrences(of: "timeout: 90s", with: "timeout: \(bad)"))
            #expect(timeout?.key == "sources[0].timeout", "\(bad)")
            #expect(timeout?.line == 4, "\(bad)")
        }
    }

    @Test func templates() throws {
        let instance = EC2Instance(
            instanceID: "i-0ABC", tags: ["Name": "Web Server_01", "Prefix": "apne1a-prod", "Role": "Front End"])
        func expand(_ text: String) throws -> String? {
            try HostnameTemplate(parsing: text).hostname(for: instance)?.value
        }
        #expect(try expand("{name}") == "web-server-01")
        #expect(try expand("{name}.{prefix}") == "web-server-01.apne1a-prod")
        #expect(try expand("{instance-id}.ec2") == "i-0abc.ec2")
        #expect(try expand("{tag:Role}-{name}") == "front-end-web-server-01")
        #expect(try expand("{tag:Missing}") == nil)
        #expect(throws: HostnameTemplate.ParseError.self) { try HostnameTemplate(parsing: "static") }
        #expect(throws: HostnameTemplate.ParseError.self) { try HostnameTemplate(parsing: "{name") }
        #expect(throws: HostnameTemplate.ParseError.self) { try HostnameTemplate(parsing: "{name}..x") }
    }
}
