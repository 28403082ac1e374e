import Foundation
import HostsCore

/// Parses and renders a hosts file with HostsCore, and prints what it took.
/// Usage: hostscore-bench FILE
@main
struct HostsCoreBench {
    static func main() throws {
        guard CommandLine.arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: hostscore-bench FILE\n".utf8))
            exit(2)
        }
        let path = CommandLine.arguments[1]
        let clock = ContinuousClock()
        let start = clock.now
        let bytes = try AtomicFile.read(path)
        let entries = try StrictParser.parse(bytes, source: path)
        let parsed = clock.now
        let rendered = HostsRenderer.render(entries)
        let done = clock.now
        func ms(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            return String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }
        print(
            "entries=\(entries.count) parse_ms=\(ms(parsed - start)) render_ms=\(ms(done - parsed))",
            "rendered_bytes=\(rendered.utf8.count)")
    }
}
