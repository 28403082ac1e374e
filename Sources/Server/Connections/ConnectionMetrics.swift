import Prometheus

/// The connection limit's metrics: open connections against the maximum, connections closed or
/// refused to stay under it, and failed accepts by error.
final class ConnectionMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let open: Gauge
    private let closedIdle: Counter
    private let refused: Counter

    init(registry: PrometheusCollectorRegistry, maximum: Int) {
        self.registry = registry
        open = registry.makeGauge(descriptor: Self.name("connections", unit: "", help: "Open connections."))
        registry.makeGauge(
            descriptor: Self.name("connections_max", unit: "", help: "The connection limit (--max-connections).")
        ).set(Int64(maximum))
        let shed = Self.name(
            "connections_shed", unit: "total",
            help: "Connections closed at the connection limit: the longest-idle one (idle) or the new one (refused).")
        closedIdle = registry.makeCounter(descriptor: shed, labels: [("reason", "idle")])
        refused = registry.makeCounter(descriptor: shed, labels: [("reason", "refused")])
    }

    func setOpen(_ count: Int) { open.set(Int64(count)) }
    func countClosedIdle() { closedIdle.increment() }
    func countRefused() { refused.increment() }

    /// An accept that failed, by errno name (EMFILE, ENFILE, ...).
    func countAcceptError(_ error: String) {
        registry.makeCounter(
            descriptor: Self.name("accept_errors", unit: "total", help: "Accepts that failed, by error."),
            labels: [("error", error)]
        ).increment()
    }

    /// `hosts_server_<metric>_<unit>`, as in ``ServerMetrics``.
    private static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "hosts", subsystem: "server", metricName: metric, unitName: unit, helpText: help)
    }
}
