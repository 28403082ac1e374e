/// Why a pass could not run at all (a failure of one source or profile is in ``PassReport`` instead).
enum PassError: Error, CustomStringConvertible, Sendable {
    case signingKey(String)

    var description: String {
        switch self {
        case .signingKey(let reason): return "signing-key: \(reason)"
        }
    }

    var exitCode: Int32 { 1 }
}
