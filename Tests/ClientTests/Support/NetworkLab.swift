import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Two network namespaces joined by a veth pair, made and removed by the test: a "laptop" that moves between
/// networks and a "server" that answers on 203.0.113.1 from both. Needs root and iproute2 (`ip netns`).
///
/// The server side holds 192.0.2.1/24 (the office LAN), 10.8.0.1/24 (the VPN) and 203.0.113.1/32 (where the hosts
/// server is reached); the laptop reaches 203.0.113.1 through a device route whatever its own address is, and its
/// source address is the one the server's views see.
final class NetworkLab {
    static var available: Bool {
        getuid() == 0
            && (FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
                || FileManager.default.isExecutableFile(atPath: "/sbin/ip"))
    }

    /// `prefix` for ``ClientSandbox/run(_:environment:prefix:binary:)``: the client runs inside the laptop.
    var inLaptop: [String] { [Self.ipPath, "netns", "exec", laptop] }

    static let serverAddress = "203.0.113.1"
    let laptop: String
    let server: String
    let laptopLink: String
    private var processes: [Process] = []

    struct Failure: Error, CustomStringConvertible { var description: String }

    init() throws {
        // Short unique names: interface names have 15 bytes at most.
        let id = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        laptop = "pdns-lap-\(id)"
        server = "pdns-srv-\(id)"
        laptopLink = "vl\(id)"
        let serverLink = "vs\(id)"
        try Self.ip(["netns", "add", laptop])
        do {
            try Self.ip(["netns", "add", server])
            try Self.ip([
                "-n", laptop, "link", "add", laptopLink, "type", "veth", "peer", "name", serverLink, "netns", server,
            ])
            for (namespace, link) in [(laptop, laptopLink), (server, serverLink)] {
                try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
                try Self.ip(["-n", namespace, "link", "set", link, "up"])
            }
            for address in ["192.0.2.1/24", "10.8.0.1/24", "\(Self.serverAddress)/32"] {
                try Self.ip(["-n", server, "addr", "add", address, "dev", serverLink])
            }
            try Self.ip(["-n", laptop, "route", "add", "\(Self.serverAddress)/32", "dev", laptopLink])
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    /// Stops what was started in the namespaces (by PID), then deletes them (the veth pair goes with them).
    func remove() {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        processes = []
        _ = try? Self.ip(["netns", "del", laptop], check: false)
        _ = try? Self.ip(["netns", "del", server], check: false)
    }

    /// Gives the laptop `address` (CIDR) and takes away `old`, in one `ip -batch`: a watcher sees one move, never
    /// a moment with both addresses, however long a loaded machine takes to start a process (one `ip` each, the
    /// moment lasted a process start, and `watch --settle` could take it for a move of its own).
    func move(laptopTo address: String, from old: String?) throws {
        let script = try batchFile(moveCommands(to: address, from: old))
        defer { unlink(script) }
        try Self.ip(["-n", laptop, "-batch", script])
    }

    /// Moves the laptop to `address`, holds it there for `milliseconds`, and moves it back, all in one shell:
    /// the flap lasts what the test says, not what starting processes from a loaded test process takes.
    func flap(laptopTo address: String, from home: String, milliseconds: Int) throws {
        let away = try batchFile(moveCommands(to: address, from: home))
        let back = try batchFile(moveCommands(to: home, from: address))
        defer {
            unlink(away)
            unlink(back)
        }
        let seconds = String(format: "%.3f", Double(milliseconds) / 1000)
        let result = try BuiltProducts.run(
            "/bin/sh",
            [
                "-c", "\"$0\" -n \"$1\" -batch \"$2\" && sleep \(seconds) && \"$0\" -n \"$1\" -batch \"$3\"",
                Self.ipPath, laptop, away, back,
            ])
        if result.status != 0 { throw Failure(description: "flap to \(address) failed: \(result.stderr)") }
    }

    /// New address first, then the old one goes: a device left without any address loses its routes, the one to
    /// the server too, which is then put back.
    private func moveCommands(to address: String, from old: String?) -> [String] {
        ["addr add \(address) dev \(laptopLink)"] + (old.map { ["addr del \($0) dev \(laptopLink)"] } ?? [])
            + ["route replace \(Self.serverAddress)/32 dev \(laptopLink)"]
    }

    private func batchFile(_ commands: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "netlab-\(laptop)-\(UUID().uuidString).ip"
        try (commands.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func ipInLaptop(_ arguments: [String]) throws { try Self.ip(["-n", laptop] + arguments) }

    /// Starts `arguments` inside `namespace`; output goes to the given files. Stopped by ``remove()``.
    func start(in namespace: String, _ arguments: [String], stdout: String, stderr: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.ipPath)
        process.arguments = ["netns", "exec", namespace] + arguments
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: stdout)
        process.standardError = FileHandle(forWritingAtPath: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return process
    }

    /// Runs `arguments` inside `namespace` to completion.
    func run(in namespace: String, _ arguments: [String]) throws -> BuiltProducts.Result {
        try BuiltProducts.run(Self.ipPath, ["netns", "exec", namespace] + arguments)
    }

    /// The real hosts-server inside the server namespace on a kernel-chosen port; returns the port it reports.
    func startHostsServer(directory: String, logs: String, extra: [String] = []) throws -> Int {
        let binary = try BuiltProducts.path(of: "hosts-server")
        let process = try start(
            in: server, [binary, "--dir", directory, "--host", "0.0.0.0", "--port", "0", "--threads", "1"] + extra,
            stdout: logs, stderr: logs + ".err")
        let end = Date().addingTimeInterval(20)
        while Date() < end, process.isRunning {
            let text =
                ((try? String(contentsOfFile: logs, encoding: .utf8)) ?? "")
                + ((try? String(contentsOfFile: logs + ".err", encoding: .utf8)) ?? "")
            if let range = text.range(of: "address=0.0.0.0:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits) { return port }
            }
            usleep(20_000)
        }
        throw Failure(description: "hosts-server did not report its port in the server namespace")
    }

    static var ipPath: String {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
    }

    @discardableResult
    static func ip(_ arguments: [String], check: Bool = true) throws -> BuiltProducts.Result {
        let result = try BuiltProducts.run(ipPath, arguments)
        if check && result.status != 0 {
            throw Failure(description: "ip \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result
    }
}
