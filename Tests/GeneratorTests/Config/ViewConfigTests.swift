import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Generator

/// `views:` in the profile definition file: validated by the loader (and so by `check`, exit 2), published in
/// index.json.
@Suite struct ViewConfigTests {
    static let base = """
        sources:
          - name: tokyo
            region: ap-northeast-1
        profiles:
          - name: office
            prefixes: [apne1a-prod]
            address: public
          - name: remote
            prefixes: [apne1a-prod]
            address: private
        output: out

        """

    static func config(views: String) -> String { base + "views:\n" + views }

    static let good = config(
        views: """
              - name: auto
                choose:
                  - profile: office
                    from: [203.0.113.0/24, 2001:db8:1::/48]
                  - profile: remote

            """)

    func error(_ yaml: String) -> String? {
        do {
            _ = try ConfigLoader(path: "/etc/pd.yml").parse(yaml)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aValidViewLoadsWithItsRanges() throws {
        let config = try ConfigLoader(path: "/etc/pd.yml").parse(Self.good)
        #expect(config.views.count == 1)
        let view = try #require(config.views.first)
        #expect(view.name == "auto")
        #expect(view.profiles == ["office", "remote"])
        #expect(view.profile(for: IPAddress("203.0.113.7")) == "office")
        #expect(view.profile(for: IPAddress("2001:db8:1::5")) == "office")
        #expect(view.profile(for: IPAddress("198.51.100.1")) == "remote")
        #expect(view.profile(for: IPAddress("2001:db8:2::5")) == "remote")
        #expect(view.profile(for: nil) == "remote")
        #expect(try ConfigLoader(path: "/etc/pd.yml").parse(Self.base).views.isEmpty)
    }

    @Test(arguments: [
        (
            "unknown profile",
            "  - name: auto\n    choose:\n      - profile: offise\n        from: [10.0.0.0/8]\n      - profile: remote\n",
            "/etc/pd.yml:15: views[0].choose[0].profile: unknown profile 'offise'"
        ),
        (
            "name clashes with a profile",
            "  - name: office\n    choose:\n      - profile: remote\n",
            "/etc/pd.yml:13: views[0].name: 'office' is also a profile name (both would be /profiles/office)"
        ),
        (
            "bad name",
            "  - name: Auto\n    choose:\n      - profile: remote\n",
            "/etc/pd.yml:13: views[0].name: 'Auto' is not a valid view name ([a-z0-9][a-z0-9-]*, at most 63)"
        ),
        (
            "bad CIDR",
            "  - name: auto\n    choose:\n      - profile: office\n        from: [10.0.0.0/33]\n      - profile: remote\n",
            "/etc/pd.yml:16: views[0].choose[0].from[0]: invalid address '10.0.0.0/33': prefix length must be 0…32"
        ),
        (
            "not an address",
            "  - name: auto\n    choose:\n      - profile: office\n        from: [office-lan]\n      - profile: remote\n",
            "/etc/pd.yml:16: views[0].choose[0].from[0]: invalid address 'office-lan'"
        ),
        (
            "no catch-all",
            "  - name: auto\n    choose:\n      - profile: office\n        from: [10.0.0.0/8]\n",
            "/etc/pd.yml:15: views[0].choose[0]: the last choice must be a catch-all without 'from' (else some clients get no profile)"
        ),
        (
            "catch-all not last",
            "  - name: auto\n    choose:\n      - profile: remote\n      - profile: office\n        from: [10.0.0.0/8]\n",
            "/etc/pd.yml:15: views[0].choose[0]: only the last choice may leave out 'from' (every choice after it is unreachable)"
        ),
        (
            "empty from",
            "  - name: auto\n    choose:\n      - profile: office\n        from: []\n      - profile: remote\n",
            "/etc/pd.yml:15: views[0].choose[0].from: list at least one address range"
        ),
        (
            "empty choose",
            "  - name: auto\n    choose: []\n",
            "/etc/pd.yml:13: views[0].choose: list at least one profile"
        ),
        (
            "unknown key",
            "  - name: auto\n    choose:\n      - profile: remote\n        when: [x]\n",
            "/etc/pd.yml:16: views[0].choose[0].when: unknown key (expected one of: from, profile)"
        ),
        (
            "duplicate view",
            "  - name: auto\n    choose:\n      - profile: remote\n  - name: auto\n    choose:\n      - profile: office\n",
            "/etc/pd.yml:16: views[1].name: duplicate view name 'auto'"
        ),
    ])
    func problemsAreNamedWithLineAndKey(_ what: String, views: String, expected: String) {
        let message = error(Self.config(views: views))
        #expect(message?.hasPrefix(expected) == true, "\(what): \(message ?? "accepted")")
    }

    /// The real binary: `check` prints the view, and a bad one is exit 2 with the one-line reason.
    @Test func checkPrintsViewsAndRefusesABadOne() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let good = try folder.write("good.yml", Self.good)
        let ok = try GeneratorRun.run(["check", "--config", good])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("view auto: office from 203.0.113.0/24, 2001:db8:1::/48; else remote\n"))

        let bad = try folder.write(
            "bad.yml",
            Self.config(views: "  - name: auto\n    choose:\n      - profile: office\n        from: [10.1/8]\n"))
        let refused = try GeneratorRun.run(["check", "--config", bad])
        #expect(refused.status == 2)
        #expect(
            refused.stderr.hasPrefix("hosts-generator: error: \(bad):16: views[0].choose[0].from[0]: invalid address"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
    }

    /// The publisher writes the views into index.json, and HostsCore reads them back.
    @Test func indexJSONCarriesTheViews() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let config = try ConfigLoader(path: folder.file("p.yml")).parse(Self.good)
        let publisher = Publisher(
            directory: folder.file("pub"), shrinkGuard: ShrinkGuard(fraction: 0.5), force: .none, views: config.views)
        let profiles = ["office", "remote"].map {
            RenderedProfile(
                name: $0, description: nil, content: "10.0.0.1 \($0)\n", entries: 1, stats: [:], duplicates: [])
        }
        try publisher.publish(profiles, at: Date(timeIntervalSince1970: 1_700_000_000))
        let text = try #require(folder.read("pub/index.json"))
        #expect(text.contains("\"views\" : ["))
        #expect(text.contains("\"from\" : [\n            \"203.0.113.0/24\",\n            \"2001:db8:1::/48\""))
        let index = try ProfileIndex.decode(Data(text.utf8))
        #expect(index.views == config.views)
        #expect(index.profiles.map(\.name) == ["office", "remote"])
    }
}
