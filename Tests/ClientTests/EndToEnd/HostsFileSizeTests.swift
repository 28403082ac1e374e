import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The hosts file is read to a cap: a file at `--hosts-file` (the user's, under sudo) or an /etc/hosts someone
/// made huge is refused in one line naming it and the cap, exit 78, nothing written. Before, it was read whole:
/// a sparse file of 300 MiB cost that much memory, and one of a terabyte killed the client on the allocation.
@Suite struct HostsFileSizeTests {
    static let owner = "127.0.0.1 localhost\n"

    @Test func aHostsFileOverTheCapIsRefusedAndLeftAlone() async throws {
        try await offThePool {
            let sandbox = try ClientSandbox(hosts: Self.owner)
            // Sparse: 300 MiB of file, no disk used; the owner's line first, NULs after it.
            let size: off_t = 300 << 20
            #expect(truncate(sandbox.hostsFile, size) == 0)
            try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
            let report = sandbox.root + "/peak"
            for arguments in [["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"], ["apply"]] {
                let run = try sandbox.run(arguments, prefix: PythonTools.peakMemoryPrefix(report: report))
                let peak = try PythonTools.peakMiB(report: report)
                #expect(run.status == 78, "\(arguments): exit \(run.status): \(run.stderr)")
                let lines = run.stderr.split(separator: "\n")
                #expect(lines.count == 1, "\(run.stderr)")
                #expect(
                    lines.first?.contains(
                        "refusing hosts file \(sandbox.hostsFile): it is 300 MiB, larger than 256 MiB") == true,
                    "\(run.stderr)")
                // The debug build's own footprint is tens of MiB; the file would have been 300 more.
                #expect(peak < 250, "\(arguments): peak \(peak) MiB: the file was read")
            }
            var info = stat()
            #expect(stat(sandbox.hostsFile, &info) == 0 && info.st_size == size, "the file is as it was")
            let head = FileHandle(forReadingAtPath: sandbox.hostsFile)?.readData(ofLength: 64) ?? Data()
            #expect(head.prefix(Self.owner.utf8.count) == Data(Self.owner.utf8))
            #expect(!head.contains(UInt8(ascii: "#")), "no block was written")
            #expect(sandbox.backupCount == 0, "nothing was backed up: nothing was about to be written")
        }
    }
}
