import Foundation
import Hummingbird
import Logging
import NIOCore

/// Answers every request. No router: the handful of paths is matched directly, and a profile request is
/// one lock-protected pointer read plus a dictionary lookup into prebuilt responses.
struct ServerResponder: HTTPResponder {
    typealias Context = ServerRequestContext

    let store: SnapshotStore
    let tokens: TokenStore?
    let metrics: ServerMetrics
    /// nil turns the access log off; otherwise one line per request.
    let accessLog: AccessLog?
    let scheme: String
    /// Whose `Forwarded`/`X-Forwarded-For` choose a view's profile.
    var proxies = TrustedProxies()

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = accessLog == nil ? nil : NIODeadline.now()
        let route = Route(path: request.uri.path)
        let response = answer(request, route: route, peer: context.channel.remoteAddress)
        let bodyBytes = request.method == .head ? 0 : (response.body.contentLength ?? 0)
        metrics.record(route: route.label, status: response.status.code, bodyBytes: bodyBytes)
        if let accessLog, let started {
            accessLog.logRequest(
                method: request.method.rawValue, path: request.uri.path[...], status: Int(response.status.code),
                bytes: bodyBytes, started: started, remote: context.channel.remoteAddress)
        }
        return response
    }

    func answer(_ request: Request, route: Route, peer: SocketAddress?) -> Response {
        guard request.method == .get || request.method == .head else {
            return Self.plain(.methodNotAllowed, "method not allowed\n", extra: [.allow: "GET, HEAD"], request)
        }
        let routes = StaticRoutes(store: store, tokens: tokens, proxies: proxies)
        if let answer = routes.answer(route, headers: request.headers, peer: peer) {
            switch answer {
            case .representation(let representation, _):
                return representation.response(to: request)
            case .unauthorized(let invalidToken):
                return Self.plain(
                    .unauthorized, invalidToken ? "the bearer token is not valid\n" : "a bearer token is required\n",
                    extra: [
                        .wwwAuthenticate: invalidToken
                            ? StaticAnswer.invalidTokenChallenge : StaticAnswer.unauthorizedChallenge
                    ], request)
            case .notFound:
                return Self.notFound(request)
            }
        }
        if route != .healthz, let tokens {
            switch tokens.authorize(request.headers[.authorization]) {
            case .granted: break
            case .missing:
                return Self.plain(
                    .unauthorized, "a bearer token is required\n",
                    extra: [.wwwAuthenticate: StaticAnswer.unauthorizedChallenge], request)
            case .invalid:
                return Self.plain(
                    .unauthorized, "the bearer token is not valid\n",
                    extra: [.wwwAuthenticate: StaticAnswer.invalidTokenChallenge], request)
            }
        }
        let snapshot = store.snapshot
        switch route {
        case .profile, .signature, .index:
            return Self.notFound(request)  // answered above
        case .root:
            let host = request.head.authority ?? "localhost"
            let html = RootPage.html(snapshot: snapshot, baseURL: "\(scheme)://\(host)", tokensRequired: tokens != nil)
            return Self.dynamic(.ok, Array(html.utf8), contentType: "text/html; charset=utf-8", request)
        case .healthz:
            let report = HealthReport(snapshot: snapshot, tokenIssue: tokens?.issue)
            return Self.dynamic(.ok, report.json(), contentType: "application/json", request)
        case .metrics:
            let text = metrics.render(snapshot: snapshot, now: Int64(Date().timeIntervalSince1970))
            return Self.dynamic(.ok, Array(text.utf8), contentType: "text/plain; version=0.0.4; charset=utf-8", request)
        case .unknown:
            return Self.notFound(request)
        }
    }

    static func notFound(_ request: Request) -> Response {
        plain(.notFound, "not found\n", extra: [:], request)
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String, extra: HTTPFields, _ request: Request) -> Response
    {
        var response = dynamic(status, Array(text.utf8), contentType: "text/plain; charset=utf-8", request)
        response.headers.append(contentsOf: extra)
        return response
    }

    /// A response built for this request only: never cached by clients.
    static func dynamic(_ status: HTTPResponse.Status, _ bytes: [UInt8], contentType: String, _ request: Request)
        -> Response
    {
        let headers: HTTPFields = [
            .contentType: contentType, .cacheControl: "no-store", .contentLength: String(bytes.count),
        ]
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        return Response(status: status, headers: headers, body: body)
    }
}
