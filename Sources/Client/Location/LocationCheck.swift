import Foundation
import HostsCore
import NIOCore

/// Where this machine is, as the configured `--when` rules see it: each rule measured once per command, and
/// from that which segments are active (enabled, and every rule holds). `enable`/`disable` still override: a
/// disabled segment stays off whatever its rules say.
struct LocationCheck: Sendable {
    /// How long a `reachable=` canary may take.
    static let reachableTimeout = Interval(seconds: 2)

    /// A measured rule: whether it holds now, and the fact behind it (for `status` and `watch`'s log line).
    struct Value: Sendable, Codable, Equatable {
        var rule: String
        var holds: Bool
        var detail: String
    }

    var snapshot: NetworkSnapshot
    private var measured: [SegmentRule: Value]

    init(snapshot: NetworkSnapshot, measured: [SegmentRule: Value]) {
        self.snapshot = snapshot
        self.measured = measured
    }

    /// Measures every rule `config` uses (the reachable ones concurrently, each bounded by its timeout).
    static func measure(_ config: ClientConfig, snapshot: NetworkSnapshot = .current()) async -> LocationCheck {
        let rules = Set(config.segments.flatMap { ($0.when ?? []).map(\.measured) })
        var measured: [SegmentRule: Value] = [:]
        var canaries: [String] = []
        for rule in rules {
            switch rule {
            case .network(let range):
                if let found = snapshot.address(in: range) {
                    measured[rule] = Value(
                        rule: rule.description, holds: true, detail: "\(found.address) on \(found.interface.name)")
                } else if let idle = snapshot.address(in: range, usable: false) {
                    measured[rule] = Value(
                        rule: rule.description, holds: false,
                        detail: "\(idle.address) only, and \(idle.interface.state)")
                } else {
                    measured[rule] = Value(rule: rule.description, holds: false, detail: "no address in \(range)")
                }
            case .interface(let name):
                let interface = snapshot.interface(named: name)
                measured[rule] = Value(
                    rule: rule.description, holds: interface?.usable == true,
                    detail: interface?.state ?? "no interface \(name)")
            case .reachable(let url):
                canaries.append(url)
            case .not:
                break
            }
        }
        if !canaries.isEmpty {
            let limits = FetchLimits(timeout: reachableTimeout, maxBytes: 64 * 1024)
            let answers = try? await RemoteFetcher.with(maxBytes: limits.maxBytes) { fetcher in
                await withTaskGroup(of: (String, Value).self) { group in
                    for url in canaries {
                        group.addTask {
                            let rule = SegmentRule.reachable(url).description
                            switch await fetcher.probe(url, limits: limits) {
                            case .success(let status):
                                return (
                                    url,
                                    Value(rule: rule, holds: (200..<300).contains(status), detail: Self.detail(status))
                                )
                            case .failure(let error):
                                return (url, Value(rule: rule, holds: false, detail: error.reason))
                            }
                        }
                    }
                    var values: [(String, Value)] = []
                    for await value in group { values.append(value) }
                    return values
                }
            }
            for (url, value) in answers ?? [] { measured[.reachable(url)] = value }
        }
        return LocationCheck(snapshot: snapshot, measured: measured)
    }

    /// What a canary's status says. Only 2xx holds: a captive portal answers every request with a redirect to
    /// its login page (and a proxy or a hotel network with anything but the canary's 2xx), so a 3xx means
    /// something else answered, not that the canary was reached.
    static func detail(_ status: Int) -> String {
        switch status {
        case 200..<300: "HTTP \(status)"
        case 300..<400: "HTTP \(status): a redirect, not the canary (a captive portal answers so)"
        default: "HTTP \(status)"
        }
    }

    /// Every rule `config` uses was measured.
    func covers(_ config: ClientConfig) -> Bool {
        config.segments.allSatisfy { ($0.when ?? []).allSatisfy { measured[$0.measured] != nil } }
    }

    /// The measured value of `rule`, its `not`s applied.
    func value(of rule: SegmentRule) -> Value {
        switch rule {
        case .not(let inner):
            let base = value(of: inner)
            return Value(rule: rule.description, holds: !base.holds, detail: base.detail)
        default:
            return measured[rule] ?? Value(rule: rule.description, holds: false, detail: "not measured")
        }
    }

    func values(for segment: SegmentConfig) -> [Value] { (segment.when ?? []).map(value(of:)) }

    /// Enabled, and every rule holds.
    func isActive(_ segment: SegmentConfig) -> Bool {
        segment.enabled && values(for: segment).allSatisfy(\.holds)
    }

    /// Why the segment is on or off, in one line (`status`, `watch`).
    func reason(for segment: SegmentConfig) -> String {
        guard segment.enabled else { return "disabled" }
        let values = values(for: segment)
        if values.isEmpty { return "enabled" }
        if let failing = values.first(where: { !$0.holds }) {
            return "\(failing.rule) does not hold (\(failing.detail))"
        }
        return values.map { "\($0.rule) holds (\($0.detail))" }.joined(separator: ", ")
    }

    /// `config` with every segment whose rules do not hold switched off: what the merge takes.
    func effective(_ config: ClientConfig) -> ClientConfig {
        var copy = config
        for index in copy.segments.indices { copy.segments[index].enabled = isActive(config.segments[index]) }
        return copy
    }
}
