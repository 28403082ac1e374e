import TestSupport
import Testing

/// The sandbox most remote-segment tests start from: "office" (two entries, ETag "v1") and "lab" (one entry)
/// on one scripted server, both fetched once.
enum TwoRemotes {
    static let office = "10.0.0.1 alpha\n10.0.0.2 beta\n"

    static func prepared() throws -> (ClientSandbox, ScriptedHTTPServer) {
        let sandbox = try ClientSandbox()
        let server = try ScriptedHTTPServer()
        server.serveHosts("/profiles/office", office, etag: "\"v1\"")
        server.serveHosts("/profiles/lab", "10.0.0.9 lab-one\n", etag: "\"lab1\"")
        try sandbox.succeed(["add", "office", "--url", server.url("/profiles/office")])
        try sandbox.succeed(["add", "lab", "--url", server.url("/profiles/lab")])
        return (sandbox, server)
    }
}
