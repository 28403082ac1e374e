import Foundation
import HostsHTTP
import NIOSSL

/// The CAs https requests trust, as AWS SDKs choose them: `AWS_CA_BUNDLE` (a PEM file), else the `ca_bundle` of
/// the default profile (`AWS_PROFILE`, else `default`) in the shared config, else the system's. A bundle replaces
/// the system's CAs. A bundle that cannot be read fails every https request naming it, never a silent fallback.
struct TrustedRoots: Sendable {
    /// nil: the system's CAs.
    let certificates: Result<[NIOSSLCertificate]?, HTTPTransportError>

    init(environment: ProcessEnvironment) {
        let setting: (name: String, path: String)?
        if let path = environment["AWS_CA_BUNDLE"] {
            setting = (name: "AWS_CA_BUNDLE", path: path)
        } else {
            let files = SharedConfigFiles(environment: environment)
            let profile = SharedConfigFiles.defaultProfile(environment).name
            setting = files.profile(profile)?["ca_bundle"].map {
                (name: "ca_bundle of profile \(profile) in \(files.configPath)", path: environment.expandingTilde($0))
            }
        }
        guard let setting else {
            certificates = .success(nil)
            return
        }
        do {
            let loaded = try NIOSSLCertificate.fromPEMFile(setting.path)
            certificates =
                loaded.isEmpty
                ? .failure(Self.unreadable(setting, "no certificate in it")) : .success(loaded)
        } catch {
            certificates = .failure(Self.unreadable(setting, "\(error)"))
        }
    }

    private static func unreadable(_ setting: (name: String, path: String), _ why: String) -> HTTPTransportError {
        HTTPTransportError(
            url: setting.path, reason: "\(setting.name): not a readable PEM certificate bundle (\(why))",
            isRetryable: false)
    }

    /// HostsHTTP's client TLS with the chosen CAs.
    func tlsConfiguration() throws(HTTPTransportError) -> TLSConfiguration {
        .client(trusting: try certificates.get())
    }
}
