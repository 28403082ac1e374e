import Foundation
import HostsCore
import NIOCore
import TestSupport
import Testing

@testable import Server

/// Views: `/profiles/auto` answers with the profile chosen by where the request comes from. On loopback the
/// source is set by binding the client socket: 127.0.0.2 is "the office", 127.0.0.1 "elsewhere".
@Suite struct ViewServingTests {
    static let office = "203.0.113.10 web1\n"
    static let remote = "10.0.0.10 web1\n"
    static let officeSignature = #"{"profile":"office","note":"stands in for office.hosts.sig"}"# + "\n"
    static let remoteSignature = #"{"profile":"remote","note":"stands in for remote.hosts.sig"}"# + "\n"

    /// Who answers: the fast path, or Hummingbird alone (the server run with `--no-fast-path`).
    enum Path: String, CaseIterable, CustomTestStringConvertible {
        case fast, hummingbird
        var testDescription: String { rawValue }

        /// The fixture's options, with the fast path on or off.
        func options(_ fixture: PublishedFixture) -> ServerOptions {
            var options = fixture.options()
            options.fastPath = self == .fast
            return options
        }
    }

    /// office, remote, their signatures, and index.json with the view `auto`.
    static func fixture(views: [ViewRecord]? = nil) throws -> PublishedFixture {
        let fixture = try PublishedFixture()
        try fixture.publish("office.hosts", office)
        try fixture.publish("remote.hosts", remote)
        try fixture.publish("office.hosts.sig", officeSignature)
        try fixture.publish("remote.hosts.sig", remoteSignature)
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let records = [("office", office), ("remote", remote)].map { name, text in
            ProfileRecord.of(name, text, entries: 1, at: date)
        }
        let auto = ViewRecord(
            name: "auto",
            choose: [
                ViewChoice(
                    profile: "office", from: [try CIDR(parsing: "127.0.0.2/32"), try CIDR(parsing: "fd00::/8")]),
                ViewChoice(profile: "remote"),
            ])
        let index = try ProfileIndex(profiles: records, views: views ?? [auto]).encoded()
        try fixture.publish("index.json", String(decoding: index, as: UTF8.self))
        return fixture
    }

    static func get(
        _ target: String, port: Int, from source: String, method: String = "GET",
        headers: [(String, String)] = []
    ) async throws -> RawHTTPResponse {
        try await RawHTTPClient.request(method, target, port: port, headers: headers, from: source)
    }

    @Test(arguments: Path.allCases)
    func theProfileIsChosenBySourceAddress(path: Path) async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        try await fixture.withServer(path.options(fixture)) { _, port in
            let officeETag = try await Self.get("/profiles/office", port: port, from: "127.0.0.2")
                .header("ETag")
            let remoteETag = try await Self.get("/profiles/remote", port: port, from: "127.0.0.2")
                .header("ETag")
            #expect(officeETag != nil && officeETag != remoteETag)

            let atOffice = try await Self.get("/profiles/auto", port: port, from: "127.0.0.2")
            #expect(atOffice.status == 200)
            #expect(atOffice.text == Self.office)
            #expect(atOffice.header("ETag") == officeETag)
            #expect(atOffice.header("X-PseudoDNS-Profile") == "office")
            #expect(atOffice.header("Cache-Control") == "private, no-cache")
            #expect(atOffice.header("Vary") == "*")
            #expect(atOffice.header("Content-Type") == "text/plain; charset=utf-8")

            let elsewhere = try await Self.get("/profiles/auto", port: port, from: "127.0.0.1")
            #expect(elsewhere.status == 200)
            #expect(elsewhere.text == Self.remote)
            #expect(elsewhere.header("ETag") == remoteETag)
            #expect(elsewhere.header("X-PseudoDNS-Profile") == "remote")

            // The profiles themselves keep their shared-cache headers and name no chosen profile.
            let plain = try await Self.get("/profiles/office", port: port, from: "127.0.0.2")
            #expect(plain.header("Cache-Control") == "no-cache")
            #expect(plain.header("Vary") == "Accept-Encoding")
            #expect(plain.header("X-PseudoDNS-Profile") == nil)
        }
    }

    /// A client that moved revalidates with the ETag it has: it gets the other profile, not a 304.
    @Test(arguments: Path.allCases)
    func aConditionalGetAfterAMoveGetsTheOtherProfile(path: Path) async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        try await fixture.withServer(path.options(fixture)) { _, port in
            let first = try await Self.get("/profiles/auto", port: port, from: "127.0.0.2")
            let officeETag = try #require(first.header("ETag"))
            let stayed = try await Self.get(
                "/profiles/auto", port: port, from: "127.0.0.2", headers: [("If-None-Match", officeETag)])
            #expect(stayed.status == 304)
            #expect(stayed.header("X-PseudoDNS-Profile") == "office")
            #expect(stayed.header("Vary") == "*")
            let moved = try await Self.get(
                "/profiles/auto", port: port, from: "127.0.0.1", headers: [("If-None-Match", officeETag)])
            #expect(moved.status == 200)
            #expect(moved.text == Self.remote)
            #expect(moved.header("X-PseudoDNS-Profile") == "remote")
            #expect(moved.header("ETag") != officeETag)
        }
    }

    @Test(arguments: Path.allCases)
    func headAndTheSignatureFollowTheChoice(path: Path) async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        try await fixture.withServer(path.options(fixture)) { _, port in
            let head = try await Self.get("/profiles/auto", port: port, from: "127.0.0.2", method: "HEAD")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Length") == String(Self.office.utf8.count))
            #expect(head.header("X-PseudoDNS-Profile") == "office")

            let officeSig = try await Self.get("/profiles/auto.sig", port: port, from: "127.0.0.2")
            #expect(officeSig.status == 200)
            #expect(officeSig.text == Self.officeSignature)
            #expect(officeSig.header("X-PseudoDNS-Profile") == "office")
            #expect(officeSig.header("Cache-Control") == "private, no-cache")
            let remoteSig = try await Self.get("/profiles/auto.sig", port: port, from: "127.0.0.1")
            #expect(remoteSig.text == Self.remoteSignature)
            #expect(remoteSig.header("X-PseudoDNS-Profile") == "remote")

            let unknown = try await Self.get("/profiles/nowhere", port: port, from: "127.0.0.2")
            #expect(unknown.status == 404)
        }
    }

    /// 127.0.0.3 plays the TLS proxy in front of the server; 127.0.0.1 is a client talking to it directly.
    @Test(arguments: Path.allCases)
    func forwardedHeadersCountOnlyFromATrustedProxy(path: Path) async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        var options = path.options(fixture)
        options.trustedProxies = [try CIDR(parsing: "127.0.0.3/32"), try CIDR(parsing: "10.0.0.0/8")]
        try await fixture.withServer(options) { _, port in
            let cases: [(from: String, headers: [(String, String)], expected: String, why: String)] = [
                ("127.0.0.1", [("X-Forwarded-For", "127.0.0.2")], "remote", "spoofed by a peer that is no proxy"),
                ("127.0.0.1", [("Forwarded", "for=127.0.0.2")], "remote", "spoofed by a peer that is no proxy"),
                ("127.0.0.3", [("X-Forwarded-For", "127.0.0.2")], "office", "from the proxy"),
                ("127.0.0.3", [("Forwarded", "for=127.0.0.2;proto=https")], "office", "Forwarded from the proxy"),
                ("127.0.0.3", [("Forwarded", #"for="[fd00::7]:4711""#)], "office", "quoted IPv6 with a port"),
                ("127.0.0.3", [("X-Forwarded-For", "127.0.0.2:5555")], "office", "IPv4 with a port"),
                // The client put an office address first; the proxy appended the real one: the right-most counts.
                ("127.0.0.3", [("X-Forwarded-For", "127.0.0.2, 198.51.100.7")], "remote", "forged entry on the left"),
                (
                    "127.0.0.3", [("X-Forwarded-For", "127.0.0.2"), ("X-Forwarded-For", "198.51.100.7")], "remote",
                    "forged line before the proxy's"
                ),
                (
                    "127.0.0.3", [("X-Forwarded-For", "198.51.100.7, 127.0.0.2, 10.1.2.3")], "office",
                    "trusted hops skipped from the right"
                ),
                (
                    "127.0.0.3", [("Forwarded", "for=127.0.0.2"), ("X-Forwarded-For", "198.51.100.7")], "office",
                    "Forwarded wins"
                ),
                ("127.0.0.3", [("Forwarded", "for=_hidden")], "remote", "obfuscated: the catch-all"),
                ("127.0.0.3", [("X-Forwarded-For", "not-an-address")], "remote", "unparsable: the catch-all"),
                ("127.0.0.3", [], "remote", "the proxy's own request: its own address"),
            ]
            for item in cases {
                let answer = try await Self.get(
                    "/profiles/auto", port: port, from: item.from, headers: item.headers)
                #expect(answer.header("X-PseudoDNS-Profile") == item.expected, "\(item.why): \(item.headers)")
            }
        }
        // Without --trusted-proxy, even that peer's headers are ignored.
        try await fixture.withServer(path.options(fixture)) { _, port in
            let answer = try await Self.get(
                "/profiles/auto", port: port, from: "127.0.0.3", headers: [("X-Forwarded-For", "127.0.0.2")]
            )
            #expect(answer.header("X-PseudoDNS-Profile") == "remote")
        }
    }

    /// One kept-alive connection from a trusted proxy asking for the view, a profile, a missing name and the view
    /// again, each with its own forwarded address: every answer follows its own request (the fast path keeps a
    /// connection's last lookup, which must never carry a view's choice over to the next request).
    @Test(arguments: Path.allCases)
    func oneConnectionsRequestsEachGetTheirOwnChoice(path: Path) async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        var options = path.options(fixture)
        options.trustedProxies = [try CIDR(parsing: "127.0.0.3/32")]
        try await fixture.withServer(options) { _, port in
            let asked: [(target: String, forwarded: String?, profile: String?, status: Int)] = [
                ("/profiles/auto", "127.0.0.2", "office", 200),
                ("/profiles/auto", "198.51.100.7", "remote", 200),
                ("/profiles/auto", "127.0.0.2", "office", 200),
                ("/profiles/office", nil, nil, 200),
                ("/profiles/missing", nil, nil, 404),
                ("/profiles/auto.sig", "198.51.100.7", "remote", 200),
                ("/profiles/auto.sig", "127.0.0.2", "office", 200),
                ("/profiles/auto", nil, "remote", 200),
            ]
            let pieces = asked.map { item in
                var text = "GET \(item.target) HTTP/1.1\r\nHost: x\r\n"
                if let forwarded = item.forwarded { text += "X-Forwarded-For: \(forwarded)\r\n" }
                return Array((text + "\r\n").utf8)
            }
            // Sent a request at a time (one read each) and then all at once (one read for all).
            for sending in [pieces, [Array(pieces.joined())]] {
                var last = sending
                last[last.count - 1] += Array(
                    "GET /profiles/office HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)
                let raw = try await RawHTTPClient.exchange(
                    pieces: last, pauseMilliseconds: 20, port: port, from: "127.0.0.3")
                let answers = try RawHTTPClient.parseAll(raw, methods: Array(repeating: "GET", count: asked.count + 1))
                #expect(answers.count == asked.count + 1)
                for (answer, item) in zip(answers, asked) {
                    #expect(answer.status == item.status, "\(item.target) from \(item.forwarded ?? "-")")
                    if let profile = item.profile {
                        #expect(
                            answer.header("X-PseudoDNS-Profile") == profile,
                            "\(item.target) from \(item.forwarded ?? "-")")
                        let expected =
                            item.target.hasSuffix(".sig")
                            ? (profile == "office" ? Self.officeSignature : Self.remoteSignature)
                            : (profile == "office" ? Self.office : Self.remote)
                        #expect(answer.text == expected)
                    }
                }
            }
        }
    }

    @Test func theIndexAndTheRootPageListViews() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        try await fixture.withServer { _, port in
            let index = try await RawHTTPClient.request("GET", "/profiles", port: port)
            let document = try JSONDecoder().decode(ProfileIndexDocument.Document.self, from: Data(index.body))
            #expect(document.profiles.map(\.name) == ["office", "remote"])
            #expect(document.views.map(\.name) == ["auto"])
            #expect(document.views.first?.url == "/profiles/auto")
            #expect(document.views.first?.profiles == ["office", "remote"])
            #expect(document.views.first?.choose.first?.from?.map(\.description) == ["127.0.0.2/32", "fd00::/8"])

            let root = try await RawHTTPClient.request("GET", "/", port: port)
            #expect(root.text.contains(#"<a href="/profiles/auto">auto</a>"#))
            #expect(root.text.contains("<code>office</code> from 127.0.0.2/32, fd00::/8; else <code>remote</code>"))
        }
    }

    /// A hand-edited index.json with a bad view: that view is refused and reported, the rest is served.
    @Test func aBadViewInTheIndexIsRefusedAndReported() async throws {
        let bad = ViewRecord(
            name: "broken", choose: [ViewChoice(profile: "office", from: [try CIDR(parsing: "10.0.0.0/8")])])
        let good = ViewRecord(name: "auto", choose: [ViewChoice(profile: "remote")])
        let fixture = try Self.fixture(views: [bad, good])
        defer { fixture.remove() }
        try await fixture.withServer { _, port in
            #expect(try await RawHTTPClient.request("GET", "/profiles/broken", port: port).status == 404)
            #expect(try await RawHTTPClient.request("GET", "/profiles/auto", port: port).text == Self.remote)
            let health = try await RawHTTPClient.request("GET", "/healthz", port: port)
            #expect(health.text.contains("view 'broken' refused: choose[0]: the last choice must be a catch-all"))
        }
    }

    /// The real binary: `--trusted-proxy` is parsed and applied; a bad one stops it with a one-line error.
    @Test func theBinaryTakesTrustedProxies() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let server = try HostsServerProcess(directory: fixture.path, extraArguments: ["--trusted-proxy", "127.0.0.3"])
        defer { server.stop() }
        let spoofed = try await RawHTTPClient.request(
            "GET", "/profiles/auto", port: server.port, headers: [("X-Forwarded-For", "127.0.0.2")], from: "127.0.0.1")
        #expect(spoofed.header("X-PseudoDNS-Profile") == "remote")
        let proxied = try await RawHTTPClient.request(
            "GET", "/profiles/auto", port: server.port, headers: [("X-Forwarded-For", "127.0.0.2")], from: "127.0.0.3")
        #expect(proxied.header("X-PseudoDNS-Profile") == "office")
        #expect(proxied.text == Self.office)

        let bad = try BuiltProducts.run(
            try BuiltProducts.path(of: "hosts-server"), ["--dir", fixture.path, "--trusted-proxy", "10.0.0.0/40"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--trusted-proxy 10.0.0.0/40: prefix length must be 0…32"))
    }

    @Test func forwardedValuesParse() throws {
        #expect(TrustedProxies.forValue(of: #" for="[2001:db8::1]:80";proto=https"#) == "[2001:db8::1]:80")
        #expect(TrustedProxies.forValue(of: "proto=https;For=192.0.2.1") == "192.0.2.1")
        #expect(TrustedProxies.forValue(of: "by=192.0.2.1") == nil)
        #expect(TrustedProxies.address(in: " 192.0.2.1 ") == IPAddress("192.0.2.1"))
        #expect(TrustedProxies.address(in: "192.0.2.1:443") == IPAddress("192.0.2.1"))
        #expect(TrustedProxies.address(in: "[2001:db8::1]:443") == IPAddress("2001:db8::1"))
        #expect(TrustedProxies.address(in: "2001:db8::1") == IPAddress("2001:db8::1"))
        #expect(TrustedProxies.address(in: "::ffff:192.0.2.1") == IPAddress("192.0.2.1"))
        #expect(TrustedProxies.address(in: "unknown") == nil)
        #expect(TrustedProxies.address(in: "[2001:db8::1") == nil)
        // A dual-stack listener sees IPv4 peers as mapped addresses; the view's IPv4 ranges must still match.
        let peer = try SocketAddress(ipAddress: "::ffff:127.0.0.2", port: 1)
        #expect(TrustedProxies().clientAddress(peer: peer, headers: RawHeaders()) == IPAddress("127.0.0.2"))
    }
}
