import Logging
import NIOCore
import NIOHTTP1

/// Answers GET and HEAD of `/profiles`, `/profiles/NAME` and `/profiles/NAME.sig` right in the channel
/// pipeline, from the snapshot's prebuilt heads and bodies: no task, no allocation beyond the head copy.
/// This is the hot path clients poll. Every other request goes on to Hummingbird unchanged.
///
/// Ordering: once a request has gone to Hummingbird, later pipelined requests follow it there until its
/// response is written, so responses always leave in request order.
final class FastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: StaticRoutes
    private let metrics: ServerMetrics
    private let accessLog: Logger?
    /// Requests passed on whose response has not been written yet.
    private var forwarded = 0
    /// The current request was answered here: drop the rest of its parts.
    private var consumingCurrent = false
    private var needsFlush = false

    init(routes: StaticRoutes, metrics: ServerMetrics, accessLog: Logger?) {
        self.routes = routes
        self.metrics = metrics
        self.accessLog = accessLog
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if forwarded == 0, answer(head, context: context) {
                consumingCurrent = true
            } else {
                consumingCurrent = false
                forwarded += 1
                context.fireChannelRead(data)
            }
        case .body:
            if !consumingCurrent { context.fireChannelRead(data) }
        case .end:
            if consumingCurrent {
                consumingCurrent = false
            } else {
                context.fireChannelRead(data)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), forwarded > 0 { forwarded -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Graceful shutdown may close the connection next: send what was answered first.
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Writes the response and returns true when the request is one of the static routes.
    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) -> Bool {
        guard head.method == .GET || head.method == .HEAD, head.uri.utf8.first == UInt8(ascii: "/") else {
            return false
        }
        let uri = head.uri
        let path = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { uri[..<$0] } ?? uri[...]
        let route = Route(path: path)
        guard let answer = routes.answer(route, headers: head.headers) else { return false }

        let keepAlive = head.isKeepAlive
        let status: HTTPResponseStatus
        var body: ByteBuffer?
        let responseHead: HTTPResponseHead
        switch answer {
        case .representation(let representation, let decision):
            let response = representation.nioResponse(decision)
            status = response.status
            body = response.body
            // Clients poll the same profile over a kept-alive connection: reuse the finished head (with its
            // Date) while nothing in it changes, instead of copying and extending the header list each time.
            let key = HeadCacheKey(
                etag: response.headers.first(name: "ETag") ?? "", status: status.code, second: HTTPDateCache.second,
                keepAlive: keepAlive, http10: head.version.minor == 0)
            if let cached = headCache, cached.key == key {
                responseHead = cached.head
            } else {
                responseHead = Self.finish(response.headers, status: status, keepAlive: keepAlive, version: head.version)
                headCache = (key, responseHead)
            }
        case .unauthorized(let invalidToken):
            status = .unauthorized
            let text = invalidToken ? "the bearer token is not valid\n" : "a bearer token is required\n"
            var headers = Self.textHeaders(text)
            headers.add(
                name: "WWW-Authenticate",
                value: invalidToken ? StaticAnswer.invalidTokenChallenge : StaticAnswer.unauthorizedChallenge)
            body = ByteBuffer(string: text)
            responseHead = Self.finish(headers, status: status, keepAlive: keepAlive, version: head.version)
        case .notFound:
            status = .notFound
            body = Self.notFoundBody
            responseHead = Self.finish(Self.notFoundHeaders, status: status, keepAlive: keepAlive, version: head.version)
        }
        if head.method == .HEAD { body = nil }

        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let bodyBytes = body?.readableBytes ?? 0
        if keepAlive {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            needsFlush = true
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }

        metrics.record(route: route.label, status: Int(status.code), bodyBytes: bodyBytes)
        if let accessLog {
            accessLog.info(
                "request",
                metadata: [
                    "method": "\(head.method.rawValue)", "path": "\(path)", "status": "\(status.code)",
                    "bytes": "\(bodyBytes)", "duration_us": "0",
                    "remote": "\(context.channel.remoteAddress.map(Self.describe) ?? "-")",
                ])
        }
        return true
    }

    private struct HeadCacheKey: Equatable {
        var etag: String
        var status: UInt
        var second: Int64
        var keepAlive: Bool
        var http10: Bool
    }
    private var headCache: (key: HeadCacheKey, head: HTTPResponseHead)?

    /// The prebuilt headers plus what varies per response: Date, Server, Connection.
    private static func finish(_ prebuilt: HTTPHeaders, status: HTTPResponseStatus, keepAlive: Bool, version: HTTPVersion)
        -> HTTPResponseHead
    {
        var headers = prebuilt
        headers.add(name: "Date", value: HTTPDateCache.now)
        headers.add(name: "Server", value: "hosts-server")
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        return HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    }

    static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
        return address.description
    }

    private static let notFoundBody = ByteBuffer(string: "not found\n")
    private static let notFoundHeaders = textHeaders("not found\n")

    private static func textHeaders(_ text: String) -> HTTPHeaders {
        [
            "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store",
            "Content-Length": String(text.utf8.count),
        ]
    }
}
