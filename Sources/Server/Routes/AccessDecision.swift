/// Whether a request may see a route: the one place the bearer token is checked, for the fast path and the
/// Hummingbird routes alike. `/healthz` stays open so that probes need no token.
enum AccessDecision {
    /// The 401 to answer, or nil when the request may proceed.
    static func refusal(_ route: Route, tokens: TokenStore?, authorization: @autoclosure () -> String?)
        -> PlainAnswer?
    {
        guard route != .healthz, let tokens else { return nil }
        switch tokens.authorize(authorization()) {
        case .granted: return nil
        case .missing: return .unauthorized(invalidToken: false)
        case .invalid: return .unauthorized(invalidToken: true)
        }
    }
}
