import Foundation
import TestSupport

/// What the tests ask of python3 (a dependency of `make test` already): gzip bodies, and the peak memory of a
/// child process measured from outside it (`getrusage(RUSAGE_CHILDREN)` of a wrapper that only runs the child).
enum PythonTools {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// A `prefix` for ``ClientSandbox/run(_:environment:prefix:binary:)``: the client runs as the wrapper's only
    /// child, and its peak RSS in KiB is written to `report`.
    static func peakMemoryPrefix(report: String) -> [String] {
        let script = """
            import resource, subprocess, sys
            code = subprocess.call(sys.argv[2:])
            open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
            sys.exit(code)
            """
        return ["/usr/bin/env", "python3", "-c", script, report]
    }

    /// Peak RSS in MiB written by a ``peakMemoryPrefix(report:)`` run.
    static func peakMiB(report: String) throws -> Double {
        let text = try String(contentsOfFile: report, encoding: .utf8)
        guard let kib = Double(text) else { throw Failure(description: "no peak memory in \(report): '\(text)'") }
        return kib / 1024
    }

    /// `bytes` gzip-compressed.
    static func gzip(_ bytes: [UInt8], in directory: String) throws -> [UInt8] {
        let input = directory + "/gzip-input"
        let output = directory + "/gzip-output"
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        try run(
            ["import gzip, sys", "open(sys.argv[2], 'wb').write(gzip.compress(open(sys.argv[1], 'rb').read()))"],
            input, output)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    /// A gzip stream that expands to `mebibytes` MiB of zeros (a ~1000:1 bomb), made without holding the expansion.
    static func gzipBomb(mebibytes: Int, in directory: String) throws -> [UInt8] {
        let output = directory + "/bomb.gz"
        try run(
            [
                "import sys, zlib", "c = zlib.compressobj(9, zlib.DEFLATED, 31)", "chunk = bytes(1 << 20)",
                "out = open(sys.argv[1], 'wb')", "for _ in range(int(sys.argv[2])): out.write(c.compress(chunk))",
                "out.write(c.flush())",
            ], output, "\(mebibytes)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    private static func run(_ lines: [String], _ arguments: String...) throws {
        let result = try BuiltProducts.run(
            "/usr/bin/env", ["python3", "-c", lines.joined(separator: "\n")] + arguments)
        guard result.status == 0 else { throw Failure(description: "python3 failed: \(result.stderr)") }
    }
}
