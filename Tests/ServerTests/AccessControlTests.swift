import Foundation
import TestSupport
import Testing

@testable import Server

@Suite struct AccessControlTests {
    @Test func withoutATokenFileEverythingIsOpen() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        try await fixture.withServer { _, port in
            for path in ["/", "/profiles", "/profiles/office", "/metrics", "/healthz"] {
                let status = try await RawHTTPClient.request("GET", path, port: port).status
                #expect(status == 200, "\(path)")
            }
        }
    }

    @Test func tokensAreRequiredCheckedAndReloaded() async throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        try fixture.publish("office.hosts", SampleProfiles.office)
        let secrets = try PublishedFixture()
        defer { secrets.remove() }
        try secrets.publish("tokens", "# laptops\nalpha-token-1\n\n  beta-token-2  \n")
        var options = fixture.options()
        options.tokenFile = "\(secrets.path)/tokens"
        try await fixture.withServer(options) { _, port in
            for path in ["/", "/profiles", "/profiles/office", "/profiles/nothing", "/metrics"] {
                let anonymous = try await RawHTTPClient.request("GET", path, port: port)
                #expect(anonymous.status == 401, "\(path)")
                #expect(anonymous.header("WWW-Authenticate") == "Bearer realm=\"pseudodns\"")
                #expect(!anonymous.text.contains("web1"))
            }
            let wrong = try await RawHTTPClient.request(
                "GET", "/profiles/office", port: port, headers: [("Authorization", "Bearer alpha-token-")])
            #expect(wrong.status == 401)
            #expect(wrong.header("WWW-Authenticate")?.contains("error=\"invalid_token\"") == true)
            let basic = try await RawHTTPClient.request(
                "GET", "/profiles/office", port: port, headers: [("Authorization", "Basic YWxwaGEtdG9rZW4tMQ==")])
            #expect(basic.status == 401)
            for token in ["alpha-token-1", "beta-token-2"] {
                let granted = try await RawHTTPClient.request(
                    "GET", "/profiles/office", port: port, headers: [("Authorization", "Bearer \(token)")])
                #expect(granted.status == 200)
                #expect(granted.body == Array(SampleProfiles.office.utf8))
            }
            let lowercaseScheme = try await RawHTTPClient.request(
                "GET", "/profiles", port: port, headers: [("Authorization", "bearer alpha-token-1")])
            #expect(lowercaseScheme.status == 200)
            let status = try await RawHTTPClient.request("GET", "/healthz", port: port).status
            #expect(status == 200)

            // Rotation: alpha revoked, gamma added, picked up without a restart.
            try secrets.publish("tokens", "beta-token-2\ngamma-token-3\n")
            let rotated = await eventually {
                let status = try? await RawHTTPClient.request(
                    "GET", "/profiles", port: port, headers: [("Authorization", "Bearer gamma-token-3")]
                ).status
                return status == 200
            }
            #expect(rotated)
            let revoked = try await RawHTTPClient.request(
                "GET", "/profiles", port: port, headers: [("Authorization", "Bearer alpha-token-1")])
            #expect(revoked.status == 401)
        }
    }

    @Test func bearerTokenParsing() {
        #expect(TokenStore.bearerToken("Bearer abc") == "abc")
        #expect(TokenStore.bearerToken("BEARER   abc ") == "abc")
        #expect(TokenStore.bearerToken("Bearer ") == nil)
        #expect(TokenStore.bearerToken("Basic abc") == nil)
        #expect(TokenStore.bearerToken("Bearerabc") == nil)
    }

    @Test func unreadableTokenFileStopsStartup() throws {
        let fixture = try PublishedFixture()
        defer { fixture.remove() }
        var options = fixture.options()
        options.tokenFile = "\(fixture.path)/missing-tokens"
        #expect(throws: ServerSetupError.self) { _ = try buildApplication(options: options, logger: .init(label: "t")) }
        options = fixture.options()
        options.directory = "\(fixture.path)/no-such-dir"
        let error = #expect(throws: ServerSetupError.self) {
            _ = try buildApplication(options: options, logger: .init(label: "t"))
        }
        #expect(error?.description.contains("no-such-dir") == true)
    }
}
