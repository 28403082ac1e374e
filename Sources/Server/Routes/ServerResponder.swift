import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Answers every request. No router: the handful of paths is matched directly, and a profile request is
/// one lock-protected pointer read plus a dictionary lookup into prebuilt responses.
struct ServerResponder: HTTPResponder {
    typealias Context = ServerRequestContext

    let store: SnapshotStore
    let tokens: TokenStore?
    /// Metrics and the access log, shared with the fast path.
    let accounting: RequestAccounting
    let scheme: String
    /// Whose `Forwarded`/`X-Forwarded-For` choose a view's profile.
    var proxies = TrustedProxies()

    var metrics: ServerMetrics { accounting.metrics }

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = accounting.start
        let route = Route(path: request.uri.path)
        let response = answer(request, route: route, peer: context.channel.remoteAddress)
        let bodyBytes = request.method == .head ? 0 : (response.body.contentLength ?? 0)
        accounting.answered(
            method: request.method.rawValue, path: request.uri.path[...], route: route.label,
            status: Int(response.status.code), bodyBytes: bodyBytes, started: started,
            remote: context.channel.remoteAddress)
        return response
    }

    func answer(_ request: Request, route: Route, peer: SocketAddress?) -> Response {
        guard request.method == .get || request.method == .head else {
            return Self.plain(.methodNotAllowed, request)
        }
        let routes = StaticRoutes(store: store, tokens: tokens, proxies: proxies)
        if let answer = routes.answer(route, headers: request.headers, peer: peer) {
            switch answer {
            case .representation(let representation, _):
                return representation.response(to: request)
            case .plain(let plain):
                return Self.plain(plain, request)
            }
        }
        if let refusal = AccessDecision.refusal(route, tokens: tokens, authorization: request.headers[.authorization]) {
            return Self.plain(refusal, request)
        }
        let snapshot = store.snapshot
        switch route {
        case .profile, .signature, .index:
            return Self.plain(.notFound, request)  // answered above
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
            return Self.plain(.notFound, request)
        }
    }

    static func plain(_ answer: PlainAnswer, _ request: Request) -> Response {
        var headers = HTTPFields()
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        let body =
            request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: answer.text))
        return Response(
            status: HTTPResponse.Status(code: answer.status, reasonPhrase: answer.reasonPhrase), headers: headers,
            body: body)
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
