import Foundation
import HostsCore
import TestSupport
import Testing

/// Each built program answers `--version` with the version stamped into this build, on stdout, exit 0: what
/// the packages and `make dist` are named after.
@Suite struct VersionTests {
    @Test(arguments: ["hosts-generator", "hosts-server", "hosts-client"])
    func printsTheStampedVersion(program: String) async throws {
        let result = try await offThePool { try BuiltProducts.run(try BuiltProducts.path(of: program), ["--version"]) }
        #expect(result.status == 0, "\(program) --version: \(result.stderr)")
        #expect(result.stdout == BuildVersion.current + "\n")
        // Digits first, then only what a Debian version may hold.
        #expect(BuildVersion.current.range(of: #"^[0-9][0-9A-Za-z.+~]*$"#, options: .regularExpression) != nil)
    }
}
