import Foundation

/// A private CA and a server certificate for `localhost`/127.0.0.1 issued by it, made with the `openssl` tool.
public struct TestCertificates: Sendable {
    public static let openssl = "/usr/bin/openssl"
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: openssl) }

    public var caCertificate: String
    public var serverCertificate: String
    public var serverKey: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `ca.pem`, `server.pem` and `server.key` into `directory` (`name` prefixes the files).
    public init(in directory: String, name: String = "test") throws {
        let base = "\(directory)/\(name)"
        caCertificate = base + "-ca.pem"
        serverCertificate = base + "-server.pem"
        serverKey = base + "-server.key"
        let extensions = base + "-ext.cnf"
        try Data(
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".utf8
        ).write(to: URL(fileURLWithPath: extensions))
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=PseudoDNS test CA \(name)",
                "-keyout", base + "-ca.key", "-out", caCertificate,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", serverKey, "-out",
                base + "-server.csr",
            ],
            [
                "x509", "-req", "-in", base + "-server.csr", "-CA", caCertificate, "-CAkey", base + "-ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", extensions, "-out", serverCertificate,
            ],
        ]
        for step in steps {
            let result = try BuiltProducts.run(Self.openssl, step)
            guard result.status == 0 else {
                throw Failure(description: "openssl \(step[0]) failed: \(result.stderr)")
            }
        }
    }
}
