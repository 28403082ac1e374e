import Foundation
import Prometheus
import Synchronization

/// Prometheus metrics. Counters for the statuses the server produces are created up front, so counting a
/// request is an array lookup and an atomic add; gauges that describe the snapshot are set when scraped.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Statuses with a preallocated counter per route; anything else goes through the registry's lookup.
    static let commonStatuses = [200, 304, 401, 404, 405, 412]
    private let requestCounters: [[Counter]]
    private let byteCounters: [Counter]
    private let notModifiedRatio: Gauge
    private let profileCount: Gauge
    private let loadErrors: Gauge
    private let snapshotGeneration: Gauge
    private let profileAges: Mutex<[String: Gauge]> = Mutex([:])
    // Prometheus counters cannot be read back, so the ratio's inputs are kept here too.
    private let profileOK = Atomic<Int>(0)
    private let profileNotModified = Atomic<Int>(0)

    /// `hosts_server_<metric>_<unit>`.
    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hosts", subsystem: "server", metricName: metric, unitName: unit, helpText: help)
    }

    init() {
        let labels = Route.Label.allCases
        let registry = registry
        requestCounters = labels.map { route in
            Self.commonStatuses.map { status in
                Self.makeRequestCounter(registry, route: route, status: status)
            }
        }
        byteCounters = labels.map { route in
            registry.makeCounter(
                descriptor: Self.name("response", unit: "bytes_total", help: "Response body bytes sent, by route."),
                labels: [("route", route.rawValue)])
        }
        notModifiedRatio = registry.makeGauge(
            descriptor: Self.name(
                "profile_not_modified", unit: "ratio",
                help: "Share of profile GET/HEAD answered 304 among those answered 200 or 304."))
        profileCount = registry.makeGauge(descriptor: Self.name("profiles", unit: "", help: "Profiles being served."))
        loadErrors = registry.makeGauge(
            descriptor: Self.name("load_errors", unit: "", help: "Files in the published directory currently refused."))
        snapshotGeneration = registry.makeGauge(
            descriptor: Self.name("snapshot_generation", unit: "", help: "Reloads that changed the served snapshot."))
    }

    private static func makeRequestCounter(_ registry: PrometheusCollectorRegistry, route: Route.Label, status: Int)
        -> Counter
    {
        registry.makeCounter(
            descriptor: name("requests", unit: "total", help: "HTTP requests answered, by route and status."),
            labels: [("route", route.rawValue), ("status", String(status))])
    }

    static func statusPosition(_ status: Int) -> Int? {
        switch status {
        case 200: 0
        case 304: 1
        case 401: 2
        case 404: 3
        case 405: 4
        case 412: 5
        default: nil
        }
    }

    /// Counts one answered request.
    func record(route: Route.Label, status: Int, bodyBytes: Int) {
        let routeIndex = route.position
        if let statusIndex = Self.statusPosition(status) {
            requestCounters[routeIndex][statusIndex].increment()
        } else {
            Self.makeRequestCounter(registry, route: route, status: status).increment()
        }
        if route == .profile {
            if status == 200 { profileOK.add(1, ordering: .relaxed) }
            if status == 304 { profileNotModified.add(1, ordering: .relaxed) }
        }
        if bodyBytes > 0 { byteCounters[routeIndex].increment(by: Int64(bodyBytes)) }
    }

    /// The text exposition, with the snapshot gauges brought up to date first.
    func render(snapshot: Snapshot, now: Int64) -> String {
        let okCount = Double(profileOK.load(ordering: .relaxed))
        let notModifiedCount = Double(profileNotModified.load(ordering: .relaxed))
        let total = okCount + notModifiedCount
        notModifiedRatio.set(total > 0 ? notModifiedCount / total : 0)
        profileCount.set(Int64(snapshot.profiles.count))
        loadErrors.set(Int64(snapshot.issues.count))
        snapshotGeneration.set(Int64(snapshot.generation))
        profileAges.withLock { gauges in
            for (name, gauge) in gauges where snapshot.profiles[name] == nil {
                registry.unregisterGauge(gauge)
                gauges[name] = nil
            }
            for profile in snapshot.profiles.values {
                let gauge =
                    gauges[profile.name]
                    ?? registry.makeGauge(
                        descriptor: Self.name(
                            "profile_age", unit: "seconds", help: "Seconds since the served profile last changed."),
                        labels: [("profile", profile.name)])
                gauges[profile.name] = gauge
                gauge.set(Int64(max(0, now - profile.representation.lastModified)))
            }
        }
        return registry.emitToString()
    }
}
