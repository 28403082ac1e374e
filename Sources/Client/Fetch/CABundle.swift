import HostsCore
import NIOSSL

/// A segment's `--ca-file`, read the trusted way (HostsCore ``TrustedFile``: root's, in directories only root can
/// write, a regular file of at most 1 MiB) and parsed: the only roots its https fetches trust. Read at every fetch,
/// so a renewed bundle is picked up, and judged at every read, so a file that became unsafe since `add` is refused.
struct CABundle: Sendable {
    var path: String
    var certificates: [NIOSSLCertificate]

    static func load(_ path: String) throws(SegmentFailure) -> CABundle {
        let bytes: [UInt8]
        do {
            bytes = try TrustedFile.read(path, .caBundle)
        } catch {
            throw .file(error)
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw .fetch("--ca-file \(path): not a PEM certificate bundle (\(error))")
        }
        guard !certificates.isEmpty else { throw .fetch("--ca-file \(path): no PEM certificate in it") }
        return CABundle(path: path, certificates: certificates)
    }
}
