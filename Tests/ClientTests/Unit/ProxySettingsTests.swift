import Foundation
import HostsCore
import HostsHTTP
import Testing

@testable import Client

/// Which proxy a URL goes through, read from the environment as curl reads it.
@Suite struct ProxySettingsTests {
    func proxy(_ url: String, _ environment: [String: String]) throws -> String? {
        try ProxySettings(environment: environment).proxy(for: URL(string: url)!)?.description
    }

    @Test func theSchemeChoosesTheVariable() throws {
        let env = ["http_proxy": "http://plain.example:3128", "https_proxy": "secure.example:8080"]
        #expect(try proxy("http://hosts.example/p", env) == "proxy plain.example:3128")
        #expect(try proxy("https://hosts.example/p", env) == "proxy secure.example:8080")
        #expect(try proxy("https://hosts.example/p", ["HTTPS_PROXY": "up.example:1"]) == "proxy up.example:1")
        #expect(try proxy("http://hosts.example/p", ["all_proxy": "socks5://s.example"]) == "proxy s.example:1080")
        #expect(try proxy("https://hosts.example/p", ["ALL_PROXY": "[::1]:9"]) == "proxy [::1]:9")
        #expect(try proxy("http://hosts.example/p", [:]) == nil)
        #expect(try proxy("http://hosts.example/p", ["http_proxy": "  "]) == nil)
    }

    /// httpoxy: a CGI request's `Proxy:` header arrives as HTTP_PROXY, so curl (and we) read only the lower case.
    @Test func upperCaseHTTPProxyIsIgnored() throws {
        #expect(try proxy("http://hosts.example/p", ["HTTP_PROXY": "evil.example:80"]) == nil)
    }

    @Test(arguments: [
        ("hosts.example", "http://hosts.example/p", true),
        ("hosts.example", "http://a.hosts.example/p", true),
        (".hosts.example", "http://hosts.example/p", true),
        ("hosts.example", "http://nothosts.example/p", false),
        ("hosts.example", "http://hosts.example.evil/p", false),
        ("other.example, HOSTS.example", "http://Hosts.Example./p", true),
        ("*", "http://anything.example/p", true),
        ("10.0.0.0/8", "http://10.1.2.3/p", true),
        ("10.0.0.0/8", "http://11.1.2.3/p", false),
        ("::1", "http://[::1]:8080/p", true),
        ("[::1]", "http://[::1]:8080/p", true),
        ("[::1]:8080", "http://[::1]:8080/p", true),
        ("[fd00::]/8", "http://[fd12::5]/p", true),
        ("[::1]", "http://[::2]/p", false),
        ("127.0.0.1", "http://127.0.0.1:9/p", true),
    ])
    func noProxyBypasses(entries: String, url: String, bypassed: Bool) throws {
        let chosen = try proxy(url, ["http_proxy": "proxy.example:3128", "NO_PROXY": entries])
        #expect((chosen == nil) == bypassed, "no_proxy=\(entries) \(url): \(chosen ?? "direct")")
    }

    @Test func credentialsGoToTheProxyButNeverIntoMessages() throws {
        let server = try ProxySettings(environment: ["https_proxy": "http://alice:s%3Acret@p.example:3128"])
            .proxy(for: URL(string: "https://hosts.example/")!)
        #expect(server?.user == "alice")
        #expect(server?.password == "s:cret")
        #expect(server?.description == "proxy p.example:3128")
        #expect(server?.configuration.authorization != nil)
    }

    @Test(arguments: [
        ("ftp://p.example:21", "proxy scheme ftp is not supported"),
        ("https://p.example:443", "(https://) is not supported"),
        ("http://p.example:3128/path", "is not a proxy URL"),
        ("socks5://bob:pw@p.example", "SOCKS proxy with a user name"),
        ("http://bob:hunter2@", "is not a proxy URL"),
    ])
    func aBadProxyIsAnErrorNamingTheVariable(value: String, message: String) {
        #expect {
            _ = try proxy("http://hosts.example/p", ["http_proxy": value])
        } throws: { error in
            let text = "\(error)"
            return text.contains("http_proxy") && text.contains(message) && !text.contains("hunter2")
                && !text.contains(":pw@")
        }
    }
}
