import Foundation

/// Finds the built `hosts-client` next to the test bundle (both live in the build products directory), or
/// where `HOSTS_CLIENT_BIN` says.
enum ClientBinary {
    static let path: String? = locate()

    private static func locate() -> String? {
        let fileManager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["HOSTS_CLIENT_BIN"],
            fileManager.isExecutableFile(atPath: explicit)
        {
            return explicit
        }
        var candidates: [URL] = []
        // Linux: the test runner is .build/<triple>/debug/<Package>PackageTests.xctest itself.
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath())
        if let executable = Bundle.main.executableURL { candidates.append(executable) }
        // macOS: the bundle sits in the products directory.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL)
        }
        for candidate in candidates {
            var directory = candidate.deletingLastPathComponent()
            for _ in 0..<4 {
                let binary = directory.appendingPathComponent("hosts-client").path
                if fileManager.isExecutableFile(atPath: binary) { return binary }
                directory = directory.deletingLastPathComponent()
            }
        }
        // Last resort: the package's own .build/debug, from this source file's location.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let fallback = root.appendingPathComponent(".build/debug/hosts-client").path
        return fileManager.isExecutableFile(atPath: fallback) ? fallback : nil
    }
}
