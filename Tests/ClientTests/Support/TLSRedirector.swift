import Foundation
import TestSupport

/// A real HTTPS server on 127.0.0.1 (Python's `ssl` and `http.server`, certificate from ``TestCertificates``) whose
/// every GET is a redirect to `location`: the https side of redirect tests, which ScriptedHTTPServer (plain
/// sockets) cannot be. It listens on port 0 and reports the port it got; ``stop()`` ends it by PID.
final class TLSRedirector: @unchecked Sendable {
    let port: Int
    private let process: Process

    static let script = """
        import http.server, ssl, sys
        cert, key, location, status = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        class Redirect(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    struct StartError: Error, CustomStringConvertible { var description: String }

    init(certificates: TestCertificates, location: String, status: Int = 302) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", Self.script, certificates.serverCertificate, certificates.serverKey, location, "\(status)",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // One line, the port; EOF (the script died) ends the read too.
        var line: [UInt8] = []
        while line.count < 16, let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw StartError(description: "TLS redirector did not start (python3 with ssl needed)")
        }
        self.port = port
    }

    var url: String { "https://localhost:\(port)/profiles/office" }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
