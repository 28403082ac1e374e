import Foundation
import Logging

/// What one DescribeInstances sweep of a source returned.
struct SweepResult: Sendable {
    var source: String
    var instances: [EC2Instance]
    var pages: Int
    var attempts: Int
    var seconds: Double
}

/// The EC2 Query API, no SDK: signed form POSTs of `DescribeInstances`, following `nextToken` to the end.
struct EC2QueryClient: Sendable {
    static let apiVersion = "2016-11-15"
    static let pageSize = 1000

    var source: String
    var endpoint: EC2Endpoint
    var transport: HTTPTransport
    var credentials: CredentialsCache
    var retry: RetryPolicy
    var logger: Logger

    /// Every instance whose `Prefix` tag is one of `prefixes` and whose state is one of `states`.
    func describeInstances(prefixes: [String], states: [String]) async throws(EC2Error) -> SweepResult {
        let started = ContinuousClock.now
        var filters: [(String, String)] = [("Filter.1.Name", "tag:Prefix")]
        for (index, prefix) in prefixes.sorted().enumerated() {
            filters.append(("Filter.1.Value.\(index + 1)", prefix))
        }
        if !states.isEmpty {
            filters.append(("Filter.2.Name", "instance-state-name"))
            for (index, state) in states.enumerated() { filters.append(("Filter.2.Value.\(index + 1)", state)) }
        }
        var instances: [EC2Instance] = []
        var token: String?
        var seenTokens: Set<String> = []
        var page = 0
        var attempts = 0
        repeat {
            page += 1
            var parameters = [("Action", "DescribeInstances"), ("Version", Self.apiVersion)] + filters
            parameters.append(("MaxResults", String(Self.pageSize)))
            if let token { parameters.append(("NextToken", token)) }
            let (result, tries) = try await fetchPage(parameters, page: page)
            attempts += tries
            logger.debug(
                "page fetched",
                metadata: [
                    "source": "\(source)", "page": "\(page)", "instances": "\(result.instances.count)",
                    "more": "\(result.nextToken != nil)",
                ])
            instances.append(contentsOf: result.instances)
            token = result.nextToken
            if let token, !seenTokens.insert(token).inserted {
                throw EC2Error(source: source, page: page, kind: .repeatedToken)
            }
        } while token != nil
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return SweepResult(source: source, instances: instances, pages: page, attempts: attempts, seconds: seconds)
    }

    /// One page, retried per the policy. Returns the page and how many attempts it took.
    private func fetchPage(_ parameters: [(String, String)], page: Int) async throws(EC2Error)
        -> (DescribeInstancesPage, Int)
    {
        var generator = SystemRandomNumberGenerator()
        var attempt = 1
        while true {
            do {
                return (try await attemptPage(parameters, page: page), attempt)
            } catch {
                var failure = error
                failure.attempts = attempt
                guard failure.isRetryable, attempt < retry.maxAttempts else { throw failure }
                let delay = retry.delay(beforeRetry: attempt, using: &generator)
                logger.warning(
                    "retrying",
                    metadata: [
                        "source": "\(source)", "page": "\(page)", "attempt": "\(attempt)",
                        "delay": "\(String(format: "%.3f", delay))s", "error": "\(failure)",
                    ])
                do {
                    try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                } catch {
                    throw EC2Error(source: source, page: page, kind: .transport("cancelled"), attempts: attempt)
                }
                attempt += 1
            }
        }
    }

    private func attemptPage(_ parameters: [(String, String)], page: Int) async throws(EC2Error)
        -> DescribeInstancesPage
    {
        let keys: AWSCredentials
        do {
            keys = try await credentials.credentials()
        } catch {
            // Not the page's fault: the message names the credential source instead.
            throw EC2Error(source: source, kind: .credentials(error))
        }
        let body = Array(AWSPercentEncoding.formBody(parameters).utf8)
        let contentType = "application/x-www-form-urlencoded; charset=utf-8"
        let request = SignableRequest(
            method: "POST", path: endpoint.path,
            headers: [("Content-Type", contentType), ("Host", endpoint.hostHeader)], body: body)
        let signed = SigV4Signer(credentials: keys, region: endpoint.region, service: "ec2").sign(request, at: Date())
        let response: HTTPResponse
        do {
            response = try await transport.send(
                method: "POST", url: endpoint.url, headers: [("Content-Type", contentType)] + signed.headers,
                body: Data(body), maxBytes: HTTPTransport.describeInstancesPage)
        } catch {
            throw EC2Error(
                source: source, page: page, kind: .transport(error.description, retryable: error.isRetryable))
        }
        guard response.status == 200 else {
            if let document = EC2ErrorDocument.parse(response.body) {
                throw EC2Error(
                    source: source, page: page,
                    kind: .api(status: response.status, code: document.code, message: document.message))
            }
            throw EC2Error(
                source: source, page: page, kind: .http(status: response.status, snippet: Self.snippet(response.body)))
        }
        do {
            return try DescribeInstancesParser.parse(response.body)
        } catch {
            throw EC2Error(source: source, page: page, kind: .badPage(error))
        }
    }

    /// The first line of a body, for an error message.
    static func snippet(_ body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.isEmpty ? "(empty body)" : "'\(line.trimmingCharacters(in: .whitespaces))'"
    }
}
