import Foundation
import TestSupport
import Testing

/// The hosts file judged by the resolver that reads it: after the client writes a big block, glibc (getent,
/// and Python's gethostbyname_ex and getaddrinfo) answers every name with the address the block says — or, for a
/// name a line outside the block defines, with that line's address, as `status` says.
@Suite(.enabled(if: ResolverNamespace.available, "needs root, unshare -m and /usr/bin/python3"))
struct ResolverAnswerTests {
    /// A hand-written line above the block and one below it, for names the profile maps: both win.
    static let outside =
        "127.0.0.1 localhost\n::1 localhost ip6-localhost\n10.99.0.1 host7.corp.example  # old\n"

    /// 100,000 entries: 90,000 IPv4 names, 9,970 IPv6 names and 30 aliases of one address (which span lines).
    static func companyProfile() -> (text: String, expected: [(name: String, address: String)]) {
        var lines: [String] = []
        var expected: [(String, String)] = []
        for index in 0..<90_000 {
            let address = "10.\(1 + index >> 16).\((index >> 8) & 255).\(index & 255)"
            lines.append("\(address) host\(index).corp.example")
            expected.append(("host\(index).corp.example", address))
        }
        for index in 0..<9_970 {
            let address = "fd00::\(String(index + 1, radix: 16))"
            lines.append("\(address) v6-\(index).corp.example")
            expected.append(("v6-\(index).corp.example", address))
        }
        let aliases = (0..<30).map { "alias\($0).corp.example" }
        lines.append("10.200.0.5 " + aliases.joined(separator: " "))
        expected += aliases.map { ($0, "10.200.0.5") }
        return (lines.joined(separator: "\n") + "\n", expected)
    }

    @Test func everyNameOfAHundredThousandEntryProfileResolvesAsTheBlockSays() throws {
        let sandbox = try ClientSandbox(hosts: Self.outside)
        let profile = Self.companyProfile()
        try sandbox.write(profile.text, to: sandbox.root + "/office.hosts")
        try sandbox.succeed(["add", "office", "--local", "--from", sandbox.root + "/office.hosts"])
        // An older line below the block, added by hand after the client wrote it.
        try sandbox.write(sandbox.hosts + "10.99.0.2 host8.corp.example\n", to: sandbox.hostsFile)
        try sandbox.succeed(["apply"])

        let status = try sandbox.succeed(["status", "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let keptOut = (report?["kept_out"] as? [[String: Any]]) ?? []
        var statusSays: [String: String] = [:]
        for item in keptOut {
            if let name = item["hostname"] as? String, let address = item["outside_address"] as? String {
                statusSays[name] = address
            }
        }
        // Both hand-written lines win, the one below the block too: their names are kept out of it.
        #expect(statusSays == ["host7.corp.example": "10.99.0.1", "host8.corp.example": "10.99.0.2"], "\(keptOut)")
        let text = try sandbox.succeed(["status"]).stdout
        #expect(
            text.contains(
                "kept out of the block: 2 names defined outside it (host7.corp.example, host8.corp.example)\n"
                    + "    host7.corp.example: line 3 outside the block defines it (10.99.0.1); segment office line 8 "
                    + "(10.1.0.7) left out"), "\(text.prefix(2000))")

        try checkResolver(sandbox: sandbox, expected: profile.expected, overrides: statusSays)
    }

    @Test func everyNameOfASixtyThousandNameBlocklistResolves() throws {
        let sandbox = try ClientSandbox(hosts: Self.outside)
        let names = (0..<60_000).map { "ad\($0).tracker.example" }
        try sandbox.write(names.map { "0.0.0.0 \($0)\n" }.joined(), to: sandbox.root + "/block.hosts")
        try sandbox.succeed(["add", "block", "--local", "--from", sandbox.root + "/block.hosts"])
        let longest = sandbox.hostsBytes.split(separator: 0x0A).map(\.count).max() ?? 0
        #expect(longest <= 1024, "longest line \(longest) bytes")
        try checkResolver(sandbox: sandbox, expected: names.map { ($0, "0.0.0.0") }, overrides: [:])
    }

    /// Every IPv4 name through glibc's own reading of every line (`getent hosts` enumerates the file in one pass,
    /// IPv4 lines only: the first line per name wins), and a sample — the first and last names, names on line
    /// boundaries, the kept-out ones, ten IPv6 names and random others — through real lookups
    /// (gethostbyname_ex and getaddrinfo each read the whole file per name, too slow for 100,000).
    func checkResolver(
        sandbox: ClientSandbox, expected: [(name: String, address: String)], overrides: [String: String]
    ) throws {
        let glibc = try ResolverNamespace.enumerateIPv4(hostsFile: sandbox.hostsFile, in: sandbox.root)
        var wrong: [String] = []
        for (name, address) in expected where !address.contains(":") {
            let want = overrides[name] ?? address
            let got = glibc[name]
            if got != want { wrong.append("\(name): \(got ?? "no answer") instead of \(want)") }
        }
        #expect(wrong.count == 0, "\(wrong.count) of \(expected.count) names wrong, e.g. \(wrong.prefix(5))")

        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        var sample = Set(overrides.keys)
        for index in [0, 8, 9, 17, 18, expected.count - 1] where index < expected.count {
            sample.insert(expected[index].name)
        }
        let v6 = expected.filter { $0.address.contains(":") }
        let target = sample.count + min(10, v6.count)
        while sample.count < target { sample.insert(v6[Int(random.next() % UInt64(v6.count))].name) }
        while sample.count < 40 { sample.insert(expected[Int(random.next() % UInt64(expected.count))].name) }
        let answers = try ResolverNamespace.lookUp(Array(sample), hostsFile: sandbox.hostsFile, in: sandbox.root)
        let byName = Dictionary(expected.map { ($0.name, $0.address) }, uniquingKeysWith: { first, _ in first })
        for name in sample.sorted() {
            let want = overrides[name] ?? byName[name]!
            let answer = answers[name]
            #expect(answer?.gai?.first == want, "getaddrinfo(\(name)) (seed \(seed)): \(String(describing: answer))")
            if !want.contains(":") {
                #expect(
                    answer?.ghbn?.first == want,
                    "gethostbyname_ex(\(name)) (seed \(seed)): \(String(describing: answer))")
            }
        }
    }
}
