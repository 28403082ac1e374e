import Foundation

/// `/healthz`: always 200 while the server runs, because it keeps serving the last good version of
/// every profile; `status` is `degraded` when some file is refused (or the token file cannot be read),
/// with each problem listed so an operator sees which file and line to fix.
struct HealthReport: Codable, Equatable {
    var status: String
    var profiles: Int
    var generation: Int
    var errors: [LoadIssue]

    init(snapshot: Snapshot, tokenIssue: LoadIssue?) {
        errors = snapshot.issues + (tokenIssue.map { [$0] } ?? [])
        status = errors.isEmpty ? "ok" : "degraded"
        profiles = snapshot.profiles.count
        generation = snapshot.generation
    }

    func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Array((try? encoder.encode(self)) ?? Data(#"{"status":"degraded"}"#.utf8))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
