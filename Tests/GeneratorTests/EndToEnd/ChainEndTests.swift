import Foundation
import TestSupport
import Testing

/// Where the default credential chain ends, as `check` reports it and `generate` meets it: instance metadata, or,
/// with `AWS_EC2_METADATA_DISABLED=true`, nothing (an error before any request). A metadata stand-in counts what
/// it was asked; the EC2 endpoint is never reached.
@Suite struct ChainEndTests {
    @Test func turnedOffMetadataIsReportedAndNeverAsked() async throws {
        let imds = try ScriptedHTTPServer { _ in .status(404, body: "") }
        defer { imds.stop() }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write(
            "p.yml", GeneratorRun.config(endpoint: "http://127.0.0.1:9", prefixes: ["apne1a-prod"], output: "pub"))
        let environment = [
            "HOME": folder.path, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.baseURL, "AWS_EC2_METADATA_DISABLED": "true",
        ]

        let check = try await offThePool {
            try GeneratorRun.run(["check", "--config", path], environment: environment)
        }
        #expect(check.status != 0)
        #expect(check.stderr.contains("tokyo: credentials (default chain): no credentials"), "\(check.stderr)")
        #expect(check.stderr.contains("instance metadata is turned off (AWS_EC2_METADATA_DISABLED=true)"))
        let generate = try await offThePool {
            try GeneratorRun.run(["generate", "--config", path], environment: environment)
        }
        #expect(generate.status == 1)
        #expect(
            generate.stderr.contains("error: source tokyo: credentials (default chain): no credentials"),
            "\(generate.stderr)")
        #expect(imds.requests.isEmpty, "\(imds.requests.map(\.path))")
        #expect(folder.read("pub/office.hosts") == nil)

        // Turned on, the chain ends at the metadata service: check says so, and its failure names it, not a page
        // of DescribeInstances (no request reached EC2).
        let on = environment.merging(["AWS_EC2_METADATA_DISABLED": ""]) { $1 }
        let onCheck = try await offThePool {
            try GeneratorRun.run(["check", "--config", path], environment: on)
        }
        #expect(onCheck.status == 0, "\(onCheck.stderr)")
        #expect(onCheck.stdout.contains("credentials: instance metadata\n"), "\(onCheck.stdout)")
        let onGenerate = try await offThePool {
            try GeneratorRun.run(["generate", "--config", path], environment: on)
        }
        #expect(onGenerate.status == 1)
        #expect(
            onGenerate.stderr.contains(
                "error: source tokyo: credentials (instance metadata \(imds.baseURL)): did not answer, and it is the "
                    + "default chain's last step"), "\(onGenerate.stderr)")
        #expect(!onGenerate.stderr.contains("page 1"), "\(onGenerate.stderr)")
        #expect(imds.requests.map(\.method).first == "PUT")
    }
}
