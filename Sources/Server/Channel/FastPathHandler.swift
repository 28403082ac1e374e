import Logging
import NIOCore
import NIOHTTP1

/// Answers GET and HEAD of `/profiles`, `/profiles/NAME` and `/profiles/NAME.sig` right in the channel
/// pipeline, from the snapshot's prebuilt representations: the serialized head is cached per connection
/// and written with the body through ``RawOutletHandler``, below the HTTP encoder. This is the path
/// clients poll. Every other request goes on to Hummingbird unchanged.
///
/// Ordering: once a request has gone to Hummingbird, later pipelined requests follow it there until its
/// response is written, so responses always leave in request order.
///
/// It also enforces the connection's timeouts, for both paths:
/// - idle: no request outstanding and no complete request head for `idle` — this also bounds a client
///   that dribbles its headers, since only a whole head counts as activity;
/// - request: a forwarded request whose response is not written `request` after its head arrived.
/// One timer per connection, re-armed when it fires, so a request costs a clock read, not a timer.
final class FastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    struct Timeouts {
        var idle: TimeAmount
        var request: TimeAmount
    }

    private let routes: StaticRoutes
    private let metrics: ServerMetrics
    private let accessLog: Logger?
    private let outlet: RawOutletHandler
    private let timeouts: Timeouts

    /// Requests passed on whose response has not been written yet.
    private var forwarded = 0
    /// The current request was answered here: drop the rest of its parts.
    private var consumingCurrent = false
    private var needsFlush = false
    /// Whether anything was passed on since the last read burst ended; Hummingbird's handlers only need
    /// the end-of-burst event when they were given something to read.
    private var forwardedInBurst = false
    private var lastActivity = NIODeadline.now()
    private var oldestForwarded: NIODeadline?
    private var timer: Scheduled<Void>?
    private var headCache: (key: HeadCacheKey, bytes: ByteBuffer)?

    init(routes: StaticRoutes, metrics: ServerMetrics, accessLog: Logger?, outlet: RawOutletHandler, timeouts: Timeouts)
    {
        self.routes = routes
        self.metrics = metrics
        self.accessLog = accessLog
        self.outlet = outlet
        self.timeouts = timeouts
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let now = NIODeadline.now()
            lastActivity = now
            if forwarded == 0, answer(head, context: context) {
                consumingCurrent = true
            } else {
                consumingCurrent = false
                forwarded += 1
                if oldestForwarded == nil { oldestForwarded = now }
                forwardedInBurst = true
                context.fireChannelRead(data)
            }
        case .body:
            if !consumingCurrent {
                forwardedInBurst = true
                context.fireChannelRead(data)
            }
        case .end:
            if consumingCurrent {
                consumingCurrent = false
            } else {
                forwardedInBurst = true
                context.fireChannelRead(data)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context)
        if forwardedInBurst {
            forwardedInBurst = false
            context.fireChannelReadComplete()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Graceful shutdown may close the connection next: send what was answered first.
        flushIfNeeded(context)
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Outbound (Hummingbird's responses)

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), forwarded > 0 {
            forwarded -= 1
            let now = NIODeadline.now()
            lastActivity = now
            // Pipelined requests behind this one are timed from now.
            oldestForwarded = forwarded == 0 ? nil : now
        }
        context.write(data, promise: promise)
    }

    // MARK: Lifecycle and timeouts

    func handlerAdded(context: ChannelHandlerContext) {
        lastActivity = .now()
        arm(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    private var deadline: NIODeadline {
        if let oldestForwarded { return oldestForwarded + timeouts.request }
        return lastActivity + timeouts.idle
    }

    private func arm(_ context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.timer = nil
            guard context.channel.isActive else { return }
            if NIODeadline.now() >= self.deadline {
                context.close(promise: nil)
            } else {
                self.arm(context)
            }
        }
    }

    // MARK: Answering

    private func flushIfNeeded(_ context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
    }

    /// Writes the response and returns true when the request is one of the static routes.
    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) -> Bool {
        guard head.method == .GET || head.method == .HEAD, head.uri.utf8.first == UInt8(ascii: "/"),
            let outletContext = outlet.context
        else {
            return false
        }
        let uri = head.uri
        let path = uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { uri[..<$0] } ?? uri[...]
        let route = Route(path: path)
        guard let answer = routes.answer(route, headers: head.headers) else { return false }

        let keepAlive = head.isKeepAlive
        let connection: ConnectionHeader = !keepAlive ? .close : (head.version.minor == 0 ? .keepAlive : .none)
        let status: HTTPResponseStatus
        var body: ByteBuffer?
        let headBytes: ByteBuffer
        switch answer {
        case .representation(let representation, let decision):
            let response = representation.nioResponse(decision)
            status = response.status
            body = response.body
            // Clients poll the same profile over a kept-alive connection: reuse the serialized head (with
            // its Date) while nothing in it changes.
            let key = HeadCacheKey(
                etag: response.etag, status: status.code, second: HTTPDateCache.second, connection: connection)
            if let cached = headCache, cached.key == key {
                headBytes = cached.bytes
            } else {
                headBytes = Self.serialize(
                    status, response.headers, connection: connection, allocator: context.channel.allocator)
                headCache = (key, headBytes)
            }
        case .unauthorized(let invalidToken):
            status = .unauthorized
            let text = invalidToken ? "the bearer token is not valid\n" : "a bearer token is required\n"
            var headers = Self.textHeaders(text)
            headers.add(
                name: "WWW-Authenticate",
                value: invalidToken ? StaticAnswer.invalidTokenChallenge : StaticAnswer.unauthorizedChallenge)
            body = ByteBuffer(string: text)
            headBytes = Self.serialize(status, headers, connection: connection, allocator: context.channel.allocator)
        case .notFound:
            status = .notFound
            body = Self.notFoundBody
            headBytes = Self.serialize(
                status, Self.notFoundHeaders, connection: connection, allocator: context.channel.allocator)
        }
        if head.method == .HEAD { body = nil }

        if keepAlive {
            outletContext.write(NIOAny(IOData.byteBuffer(headBytes)), promise: nil)
            if let body { outletContext.write(NIOAny(IOData.byteBuffer(body)), promise: nil) }
            needsFlush = true
        } else {
            // Close only once the response has reached the socket.
            var last = headBytes
            if let body {
                outletContext.write(NIOAny(IOData.byteBuffer(headBytes)), promise: nil)
                last = body
            }
            needsFlush = false
            context.flush()
            outletContext.writeAndFlush(NIOAny(IOData.byteBuffer(last))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }

        let bodyBytes = body?.readableBytes ?? 0
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

    private enum ConnectionHeader: Equatable {
        case none
        case keepAlive
        case close
    }

    private struct HeadCacheKey: Equatable {
        var etag: String
        var status: UInt
        var second: Int64
        var connection: ConnectionHeader
    }

    /// Status line, the prebuilt headers, then what varies per response: Date, Server, Connection.
    private static func serialize(
        _ status: HTTPResponseStatus, _ headers: HTTPHeaders, connection: ConnectionHeader,
        allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 512)
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        for (name, value) in headers {
            buffer.writeString(name)
            buffer.writeString(": ")
            buffer.writeString(value)
            buffer.writeString("\r\n")
        }
        buffer.writeString("Date: \(HTTPDateCache.now)\r\nServer: hosts-server\r\n")
        switch connection {
        case .none: break
        case .keepAlive: buffer.writeString("Connection: keep-alive\r\n")
        case .close: buffer.writeString("Connection: close\r\n")
        }
        buffer.writeString("\r\n")
        return buffer
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
