import Foundation
import TestSupport
import Testing

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

/// `--idle-timeout`, `--request-timeout` and `--access-log-flush` take HostsCore's one duration grammar, the
/// client's and the generator's; a bare number stays seconds, as deploy files and scripts pass them.
@Suite struct DurationOptionsTests {
    @Test func durationsAndBareSecondsParse() throws {
        let command = try ServerCommand.parse([
            "--dir", "/nonexistent", "--idle-timeout", "2m", "--request-timeout", "1.5s", "--access-log-flush", "600",
        ])
        let durations = try command.durations()
        #expect(durations.idle == .seconds(120))
        #expect(durations.request == .milliseconds(1500))
        #expect(durations.flush == .seconds(600))
        let defaults = try ServerCommand.parse(["--dir", "/nonexistent"]).durations()
        #expect(defaults.idle == .seconds(30) && defaults.request == .seconds(30) && defaults.flush == .seconds(1))
    }

    static let refused: [([String], String)] = [
        (["--idle-timeout", "0"], "--idle-timeout: duration '0s' is out of range: use 0.1s to 1d"),
        (["--request-timeout", "2d"], "--request-timeout: duration '2d' is out of range: use 0.1s to 1d"),
        (["--access-log-flush", "0.05s"], "--access-log-flush: duration '0.05s' is out of range: use 0.1s to 1h"),
        (
            ["--access-log-flush", "5x"],
            "--access-log-flush: invalid duration '5x': use e.g. 500ms, 30s, 5m, 1h30m or 1d"
        ),
        (["--idle-timeout", "1e9"], "--idle-timeout: invalid duration '1e9'"),
    ]

    /// The real binary exits 64 (a usage error, as the other programs) with one line naming the option.
    @Test(arguments: refused)
    func theBinaryRefusesWhatIsNotADurationInRange(arguments: [String], message: String) async throws {
        let binary = try BuiltProducts.path(of: "hosts-server")
        let result = try await offThePool {
            try BuiltProducts.run(binary, ["--dir", "/nonexistent", "--port", "0"] + arguments)
        }
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A duration the old whole-seconds option refused reaches the connection: an idle connection to a server
    /// run with `--idle-timeout 1.5s` is closed by the server (well before the 30 s default would).
    @Test func anIdleTimeoutInTheGrammarClosesIdleConnections() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        let server = try HostsServerProcess(directory: fixture.path, extraArguments: ["--idle-timeout", "1.5s"])
        defer { server.stop() }
        let closed = try await offThePool { () throws -> Bool in
            let fd = try LoopbackSocket.connect(port: server.port)
            defer { close(fd) }
            // A bound far from 1.5 s, still below the default: a timeout here means the option did not apply.
            var wait = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            var byte: UInt8 = 0
            while true {
                let count = recv(fd, &byte, 1, 0)
                if count < 0, errno == EINTR { continue }
                return count == 0
            }
        }
        #expect(closed, "the server closed the idle connection")
    }
}
