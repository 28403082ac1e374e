import NIOSSL

extension TLSConfiguration {
    /// The TLS both programs fetch with: 1.2 at least (RFC 8996), trusting `roots` instead of the system's CAs when
    /// given (a `--ca-file`, an `AWS_CA_BUNDLE`).
    public static func client(trusting roots: [NIOSSLCertificate]? = nil) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let roots { tls.trustRoots = .certificates(roots) }
        return tls
    }
}
