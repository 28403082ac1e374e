import Foundation
import HostsCore
import TestSupport
import Testing

@testable import Generator

/// The generator's HTTP stack against hostile servers on real loopback sockets: every attack ends in one error
/// line naming the URL and what happened, within the request's deadline and the body's cap.
@Suite struct HTTPTransportTests {
    /// The error `send` throws for `answer`, with a 2 s deadline and a 1 MiB cap.
    func failure(_ answer: ScriptedResponse, timeout: TimeInterval = 2) async throws -> HTTPTransportError? {
        let server = try ScriptedHTTPServer { _ in answer }
        defer { server.stop() }
        let transport = HTTPTransport(timeout: timeout, environment: ProcessEnvironment(["HOME": "/nonexistent"]))
        defer { transport.shutdown() }
        do {
            let response = try await transport.send(method: "GET", url: URL(string: server.url("/attack"))!)
            Issue.record("expected a failure, got HTTP \(response.status) with \(response.body.count) bytes")
            return nil
        } catch {
            #expect(error.url == server.url("/attack"))
            #expect(!error.description.contains("\n"))
            return error
        }
    }

    @Test func anEndlessChunkedBodyStopsAtTheCap() async throws {
        let attack = HostileAnswers()
        let error = try await failure(attack.endlessChunked)
        #expect(error?.reason == "answer body exceeds 1 MiB")
        #expect(error?.isRetryable == false, "the same answer would come again")
        #expect(attack.sent < 64 << 20, "read stops near the cap: \(attack.sent) bytes sent")
    }

    @Test func aContentLengthAboveTheCapIsRefusedBeforeTheBody() async throws {
        let attack = HostileAnswers()
        let error = try await failure(attack.hugeContentLength)
        #expect(error?.reason == "answer body exceeds 1 MiB (Content-Length 10000000000)")
        #expect(error?.isRetryable == false)
    }

    @Test func aTrickledBodyIsCutAtTheDeadline() async throws {
        let error = try await failure(HostileAnswers().trickledBody, timeout: 1)
        #expect(
            error?.reason.hasPrefix("timed out after 1s while reading the body (") == true,
            "\(String(describing: error))")
        #expect(error?.isRetryable == true)
    }

    @Test func aServerThatNeverAnswersIsCutAtTheDeadline() async throws {
        let error = try await failure(HostileAnswers().silence, timeout: 1)
        #expect(
            error?.reason.hasPrefix("timed out after 1s while waiting for the response headers") == true,
            "\(String(describing: error))")
    }

    @Test func headersThatNeverEndAreCutAtTheDeadline() async throws {
        let error = try await failure(HostileAnswers().endlessHeaders, timeout: 1)
        #expect(
            error?.reason.hasPrefix("timed out after 1s while waiting for the response headers") == true,
            "\(String(describing: error))")
    }

    @Test func aBodyWithinTheCapArrivesWhole() async throws {
        let body = String(repeating: "<item/>", count: 150_000)  // 1 050 000 bytes: over 1 MiB, under 64 MiB
        let server = try ScriptedHTTPServer { _ in .xml(body) }
        defer { server.stop() }
        let transport = HTTPTransport(timeout: 10, environment: ProcessEnvironment(["HOME": "/nonexistent"]))
        defer { transport.shutdown() }
        let response = try await transport.send(
            method: "POST", url: URL(string: server.url("/"))!, headers: [("Content-Type", "text/plain")],
            body: Data("Action=DescribeInstances".utf8), maxBytes: HTTPTransport.describeInstancesPage)
        #expect(response.status == 200)
        #expect(response.body.count == body.utf8.count)
        #expect(response.headers["content-type"] != nil)
        #expect(server.requests.first?.bodyText == "Action=DescribeInstances")
    }

    @Test func aRequestAfterShutdownFailsWithoutRetry() async throws {
        let transport = HTTPTransport(timeout: 1, environment: ProcessEnvironment(["HOME": "/nonexistent"]))
        transport.shutdown()
        await #expect {
            _ = try await transport.send(method: "GET", url: URL(string: "http://127.0.0.1:9/")!)
        } throws: { error in
            (error as? HTTPTransportError)?.isRetryable == false && "\(error)".contains("shut down")
        }
    }
}
