import NIOCore

/// The answer for the routes served from prebuilt representations (a profile or a view, its signature, the index),
/// independent of the HTTP types in use, so the Hummingbird responder and the NIO fast path agree.
enum StaticAnswer {
    case representation(Representation, Representation.Decision)
    /// A 401 or a 404.
    case plain(PlainAnswer)
}

struct StaticRoutes: Sendable {
    let store: SnapshotStore
    let tokens: TokenStore?
    var proxies = TrustedProxies()

    /// nil when the route is not one of these (the caller handles it).
    /// - Parameter peer: the connection's remote address, which (through ``TrustedProxies``) chooses a view's profile;
    ///   read only for a view, so profile polls do not pay for it.
    func answer(_ route: Route, headers: some HeaderLookup, peer: @autoclosure () -> SocketAddress?) -> StaticAnswer? {
        switch route {
        case .profile, .signature, .index: break
        case .root, .healthz, .metrics, .unknown: return nil
        }
        if let refusal = AccessDecision.refusal(route, tokens: tokens, authorization: headers.first(.authorization)) {
            return .plain(refusal)
        }
        let snapshot = store.snapshot
        let representation: Representation?
        switch route {
        case .profile(let name):
            let name = String(name)
            if let profile = snapshot.profiles[name] {
                representation = profile.representation
            } else if let view = snapshot.views[name] {
                representation = view.content[choose(view, headers: headers, peer: peer())]
            } else {
                representation = nil
            }
        case .signature(let name):
            let name = String(name)
            if let signature = snapshot.signatures[name] {
                representation = signature
            } else if let view = snapshot.views[name] {
                representation = view.signatures[choose(view, headers: headers, peer: peer())]
            } else {
                representation = nil
            }
        default: representation = snapshot.index
        }
        guard let representation else { return .plain(.notFound) }
        return .representation(representation, representation.decide(headers))
    }

    private func choose(_ view: ServedView, headers: some HeaderLookup, peer: SocketAddress?) -> String {
        view.record.profile(for: proxies.clientAddress(peer: peer, headers: headers))
    }
}
