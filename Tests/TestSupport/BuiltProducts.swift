import Foundation

/// Finds and runs the package's built executables (`hosts-generator`, …) from tests.
///
/// Looks next to the running test bundle (where `swift build` and `swift test` put products) and in `.build/debug`.
public enum BuiltProducts {
    /// The package root, from this file's location (Tests/TestSupport/BuiltProducts.swift).
    public static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    private static let buildLock = NSLock()

    /// The path of product `name`, building it if needed.
    ///
    /// Never runs `swift build` on the package's own `.build` (the running `swift test` holds its lock): a missing
    /// product is built in a separate scratch directory, `.build-testbin`.
    public static func path(of name: String) throws -> String {
        buildLock.lock()
        defer { buildLock.unlock() }
        for directory in candidateDirectories() {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let scratch = packageRoot + "/.build-testbin"
        let build = try run(
            "/usr/bin/env", ["swift", "build", "--product", name, "--scratch-path", scratch], in: packageRoot)
        guard build.status == 0 else {
            throw Missing(description: "swift build --product \(name) failed: \(build.stderr)")
        }
        let shown = try run(
            "/usr/bin/env", ["swift", "build", "--scratch-path", scratch, "--show-bin-path"], in: packageRoot)
        let candidate = shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/" + name
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw Missing(description: "\(name) not found after building")
        }
        return candidate
    }

    private static func candidateDirectories() -> [String] {
        var out: [String] = []
        let arg0 = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        // .../debug/pseudodnsPackageTests.xctest (a file on Linux, a bundle elsewhere)
        var directory = arg0.deletingLastPathComponent()
        for _ in 0..<4 {
            out.append(directory.path)
            if directory.pathExtension == "xctest" { out.append(directory.deletingLastPathComponent().path) }
            directory = directory.deletingLastPathComponent()
        }
        out.append(Bundle.main.bundleURL.deletingLastPathComponent().path)
        out.append(packageRoot + "/.build/debug")
        return out
    }

    /// What a finished process printed and returned.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` with `arguments`, waits, and captures both streams.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, in directory: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently with the process so that a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        process.waitUntilExit()
        group.wait()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
