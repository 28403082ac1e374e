import Foundation
import HostsCore

/// `watch`: keeps the hosts file right for where this machine is, with nobody touching anything.
///
/// Every `every` it syncs what is due; when the network changes (and holds still for `settle`) it measures the
/// `--when` rules again, re-fetches the segments whose URL is a server-side view (their answer depends on where the
/// request comes from) and applies once. Each move prints one line naming where the machine now is.
struct WatchLoop {
    enum Event: Sendable {
        case tick
        case moved
    }

    var context: ClientContext
    var every: Interval
    var settle: Interval

    func run() async throws {
        let moves = NetworkChanges.moves(settle: settle.duration)
        let (events, sink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(2))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in moves { sink.yield(.moved) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: every.duration)
                    sink.yield(.tick)
                }
            }
            var whereabouts = await round(moved: false, previous: nil)
            for await event in events {
                whereabouts = await round(moved: event == .moved, previous: whereabouts)
            }
            group.cancelAll()
        }
    }

    /// One sync; returns the line describing where the machine is, printed when it changed.
    private func round(moved: Bool, previous: String?) async -> String? {
        do {
            let config = try context.store.loadConfig()
            let location = await LocationCheck.measure(config)
            let views = Set(
                config.segments.filter { segment in
                    segment.kind == .remote && ((try? context.store.loadMeta(segment.name))?.viewProfile != nil)
                }.map(\.name))
            _ = try await SyncOperation(
                context: context, quiet: true, refetch: moved ? views : [], location: location
            ).run()
            let now = try whereabouts(config, location)
            if let now, now != previous { Console.out("now at: \(now)") }
            return now
        } catch {
            // Keep going: the next round may find the server (or the disk, or the rights) back.
            Console.err("sync failed: \(error); retrying in \(every)")
            return previous
        }
    }

    /// The active segments that depend on location (rules or a view), with why: nil when none does.
    private func whereabouts(_ config: ClientConfig, _ location: LocationCheck) throws -> String? {
        var parts: [String] = []
        for segment in config.segments where location.isActive(segment) {
            let view = try context.store.loadMeta(segment.name)?.viewProfile
            if let view {
                parts.append("\(segment.name) → \(view) (server-side view)")
            } else if !(segment.when ?? []).isEmpty {
                parts.append("\(segment.name) (\(location.reason(for: segment)))")
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

extension WatchLoop.Event: Equatable {}
