/// The answer for the routes served from prebuilt representations (a profile, its signature, the index),
/// independent of the HTTP types in use, so the Hummingbird responder and the NIO fast path agree.
enum StaticAnswer {
    case representation(Representation, Representation.Decision)
    case unauthorized(invalidToken: Bool)
    case notFound

    static let unauthorizedChallenge = "Bearer realm=\"pseudodns\""
    static let invalidTokenChallenge = "Bearer realm=\"pseudodns\", error=\"invalid_token\""
}

struct StaticRoutes: Sendable {
    let store: SnapshotStore
    let tokens: TokenStore?

    /// nil when the route is not one of these (the caller handles it).
    func answer(_ route: Route, headers: some HeaderLookup) -> StaticAnswer? {
        switch route {
        case .profile, .signature, .index: break
        case .root, .healthz, .metrics, .unknown: return nil
        }
        if let tokens {
            switch tokens.authorize(headers.first(.authorization)) {
            case .granted: break
            case .missing: return .unauthorized(invalidToken: false)
            case .invalid: return .unauthorized(invalidToken: true)
            }
        }
        let snapshot = store.snapshot
        let representation: Representation?
        switch route {
        case .profile(let name): representation = snapshot.profiles[String(name)]?.representation
        case .signature(let name): representation = snapshot.signatures[String(name)]
        default: representation = snapshot.index
        }
        guard let representation else { return .notFound }
        return .representation(representation, representation.decide(headers))
    }
}
