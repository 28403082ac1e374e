import HostsCore

/// Why a pass failed. Nothing published changes when any of these is thrown.
enum PassError: Error, CustomStringConvertible, Sendable {
    case source(EC2Error)
    case endpoint(source: String, EndpointError)
    /// The source's identity cannot be planned (a named profile missing, a role without a source…).
    case credentials(source: String, CredentialsError)
    case include(profile: String, HostsParseError)
    case includeUnreadable(profile: String, path: String)
    case publish(PublishError)
    case signingKey(String)

    var description: String {
        switch self {
        case .source(let error): return "\(error)"
        case .endpoint(let source, let error): return "source \(source): \(error)"
        case .credentials(let source, let error): return "source \(source): \(error)"
        case .include(let profile, let error): return "profile \(profile): include \(error)"
        case .includeUnreadable(let profile, let path):
            return "profile \(profile): include \(path): cannot read the file"
        case .publish(let error): return "\(error)"
        case .signingKey(let reason): return "signing-key: \(reason)"
        }
    }

    /// Distinct exit statuses so that scripts and systemd can tell a refusal from an outage.
    var exitCode: Int32 {
        switch self {
        case .publish(let error): return error.isRefusal ? 3 : 1
        default: return 1
        }
    }
}
