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
        var memo: Memo?
        return answer(route, headers: headers, peer: peer(), memo: &memo)
    }

    /// The same, reusing a connection's last lookup (``Memo``) while the route and the snapshot are the same.
    func answer(
        _ route: Route, headers: some HeaderLookup, peer: @autoclosure () -> SocketAddress?, memo: inout Memo?
    ) -> StaticAnswer? {
        switch route {
        case .profile, .signature, .index: break
        case .root, .healthz, .metrics, .unknown: return nil
        }
        if let refusal = AccessDecision.refusal(route, tokens: tokens, authorization: headers.first(.authorization)) {
            return .plain(refusal)
        }
        let snapshot = store.snapshot
        let representation: Representation?
        if let memo, memo.snapshot === snapshot, memo.route == route {
            representation = memo.representation
        } else {
            let found = lookup(route, in: snapshot, headers: headers, peer: peer)
            representation = found.representation
            memo = found.keepable ? Memo(route: route, snapshot: snapshot, representation: representation) : nil
        }
        guard let representation else { return .plain(.notFound) }
        return .representation(representation, representation.decide(headers))
    }

    /// What a route names in a snapshot; `keepable` unless it depends on who asks (a view's profile).
    private func lookup(
        _ route: Route, in snapshot: Snapshot, headers: some HeaderLookup, peer: () -> SocketAddress?
    ) -> (representation: Representation?, keepable: Bool) {
        switch route {
        case .profile(let name):
            let name = String(name)
            if let profile = snapshot.profiles[name] { return (profile.representation, true) }
            if let view = snapshot.views[name] {
                return (view.content[choose(view, headers: headers, peer: peer())], false)
            }
            return (nil, true)
        case .signature(let name):
            let name = String(name)
            if let signature = snapshot.signatures[name] { return (signature, true) }
            if let view = snapshot.views[name] {
                return (view.signatures[choose(view, headers: headers, peer: peer())], false)
            }
            return (nil, true)
        default: return (snapshot.index, true)
        }
    }

    /// A connection's last lookup: a client polls the same path over and over, and finding its representation
    /// (hashing the name, a dictionary probe) costs more than the rest of routing. Kept only for an answer that
    /// is the same whoever asks, and used only while the snapshot is the same one (a reload makes a new one).
    struct Memo {
        fileprivate let route: Route
        fileprivate let snapshot: Snapshot
        fileprivate let representation: Representation?
    }

    private func choose(_ view: ServedView, headers: some HeaderLookup, peer: SocketAddress?) -> String {
        view.record.profile(for: proxies.clientAddress(peer: peer, headers: headers))
    }
}
