import Glibc
import Logging
import NIOCore
import NIOHTTP1

/// Answers GET and HEAD of `/profiles`, `/profiles/NAME` and `/profiles/NAME.sig` — the requests clients
/// poll — straight from the connection's bytes, ahead of NIO's HTTP parser, with the snapshot's prebuilt
/// representations: the serialized head is cached per connection, and large bodies go out as memory-file
/// regions (`sendfile`).
///
/// The first request it does not fully understand or does not answer (another route, a body, an
/// unusual header line: see ``RawRequest``) hands the connection over: from then on every byte goes on
/// to NIO's parser and Hummingbird. Requests answered before were written first, so responses always
/// leave in request order.
final class FastPathHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    struct Configuration {
        var maxHeaderBytes: Int
        var maxHeaderFields: Int
        /// Send large bodies as memory-file regions; off under TLS, which must see the bytes.
        var sendsFiles: Bool
    }

    private let routes: StaticRoutes
    private let metrics: ServerMetrics
    private let accessLog: Logger?
    private let timeouts: ConnectionTimeoutHandler
    private let configuration: Configuration

    /// The connection belongs to Hummingbird now.
    private var handedOver = false
    /// The connection closes once what was answered is sent: ignore what follows.
    private var closing = false
    /// Bytes read but not yet answered: an incomplete request head.
    private var pending: ByteBuffer?
    private var needsFlush = false
    /// TCP_CORK is set: the head and a file-region body leave as full segments instead of the head alone
    /// in a packet of its own (nginx's `tcp_nopush`). Lifted at the flush that ends the burst.
    private var corked = false
    private var headCache: (key: HeadCacheKey, bytes: ByteBuffer)?
    private var files = ConnectionFileHandles()

    init(
        routes: StaticRoutes, metrics: ServerMetrics, accessLog: Logger?, timeouts: ConnectionTimeoutHandler,
        configuration: Configuration
    ) {
        self.routes = routes
        self.metrics = metrics
        self.accessLog = accessLog
        self.timeouts = timeouts
        self.configuration = configuration
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if handedOver {
            context.fireChannelRead(data)
            return
        }
        if closing { return }
        var buffer = unwrapInboundIn(data)
        if pending == nil {
            pending = buffer
        } else {
            pending!.writeBuffer(&buffer)
        }
        answerPending(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context)
        if handedOver { context.fireChannelReadComplete() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !handedOver {
            // Graceful shutdown. Every request on this connection was answered here and Hummingbird,
            // seeing none in progress, would close at once, dropping answers still queued for a slow
            // reader: close once they are sent instead.
            if !closing {
                closing = true
                pending = nil
                closeAfterWrites(context)
            }
            return
        }
        flushIfNeeded(context)
        context.fireUserInboundEventTriggered(event)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        files.closeAll()
    }

    /// Answers every complete request in `pending`; stops at an incomplete one or hands over.
    private func answerPending(context: ChannelHandlerContext) {
        while var buffer = pending, buffer.readableBytes > 0, !closing {
            let parsed = buffer.withUnsafeReadableBytes {
                RawRequest.parse($0, maxHeaderFields: configuration.maxHeaderFields)
            }
            switch parsed {
            case .incomplete:
                // Past the limit, let the HTTP parser refuse it.
                if buffer.readableBytes > configuration.maxHeaderBytes { handOver(context) }
                return
            case .unsupported:
                handOver(context)
                return
            case .request(let request, let length):
                // An oversized head is the HTTP parser's to refuse, even when it came whole.
                guard length <= configuration.maxHeaderBytes, answer(request, context: context) else {
                    handOver(context)
                    return
                }
                if closing { return }
                buffer.moveReaderIndex(forwardBy: length)
                pending = buffer.readableBytes > 0 ? buffer : nil
            }
        }
    }

    private func handOver(_ context: ChannelHandlerContext) {
        handedOver = true
        flushIfNeeded(context)
        if let pending {
            self.pending = nil
            context.fireChannelRead(wrapInboundOut(pending))
        }
    }

    // MARK: Writing

    private func flushIfNeeded(_ context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        if corked {
            corked = false
            setCork(false, context)
        }
    }

    /// Closes the connection once everything written so far has reached the socket.
    private func closeAfterWrites(_ context: ChannelHandlerContext) {
        let sent = context.eventLoop.makePromise(of: Void.self)
        context.write(wrapOutbound(ByteBuffer()), promise: sent)
        needsFlush = true
        flushIfNeeded(context)
        sent.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func setCork(_ on: Bool, _ context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(Self.cork, value: on ? 1 : 0)
    }

    private static let cork = ChannelOptions.Types.SocketOption(
        level: .tcp, name: NIOBSDSocket.Option(rawValue: CInt(TCP_CORK)))

    private func wrapOutbound(_ buffer: ByteBuffer) -> NIOAny {
        NIOAny(IOData.byteBuffer(buffer))
    }

    // MARK: Answering

    /// Writes the response and returns true when the request is one of the static routes.
    private func answer(_ request: RawRequest, context: ChannelHandlerContext) -> Bool {
        let route = Route(path: request.path)
        let started = accessLog == nil ? nil : NIODeadline.now()
        guard let answer = routes.answer(route, headers: request.headers) else { return false }
        timeouts.requestAnswered()

        let connection: ConnectionHeader = !request.keepAlive ? .close : (request.isHTTP10 ? .keepAlive : .none)
        let status: HTTPResponseStatus
        var body: ByteBuffer?
        var file: MemoryFile?
        var whole: MemoryFile?
        let headBytes: ByteBuffer
        switch answer {
        case .representation(let representation, let decision):
            let response = representation.nioResponse(decision)
            status = response.status
            body = response.body
            file = configuration.sendsFiles ? response.file : nil
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
            // The common poll — a keep-alive GET of a large body — goes out whole, in one sendfile.
            if case .ok(let useGzip) = decision, file != nil, request.method == .get, connection == .none,
                let body
            {
                whole = representation.wholeResponses.file(gzip: useGzip, second: key.second) {
                    var bytes = headBytes
                    bytes.writeImmutableBuffer(body)
                    return bytes
                }
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
        if request.method == .head { body = nil }

        if let whole, let handle = files.handle(for: whole, outlet: context) {
            context.write(
                NIOAny(IOData.fileRegion(FileRegion(fileHandle: handle, readerIndex: 0, endIndex: whole.count))),
                promise: nil)
        } else {
            writeSeparately(head: headBytes, body: body, file: file, context: context)
        }
        needsFlush = true
        if !request.keepAlive {
            closing = true
            pending = nil
            closeAfterWrites(context)
        }

        let bodyBytes = body?.readableBytes ?? 0
        metrics.record(route: route.label, status: Int(status.code), bodyBytes: bodyBytes)
        if let accessLog, let started {
            accessLog.logRequest(
                method: request.method == .get ? "GET" : "HEAD", path: request.path, status: Int(status.code),
                bytes: bodyBytes, started: started, remote: context.channel.remoteDescription)
        }
        return true
    }

    /// The head, then the body: as a memory-file region (corked, so the head does not leave alone in a
    /// packet) when there is a file, else from memory.
    private func writeSeparately(head: ByteBuffer, body: ByteBuffer?, file: MemoryFile?, context: ChannelHandlerContext)
    {
        var bodyData: IOData?
        if let body {
            if let file, let handle = files.handle(for: file, outlet: context) {
                bodyData = .fileRegion(FileRegion(fileHandle: handle, readerIndex: 0, endIndex: file.count))
                if !corked {
                    corked = true
                    setCork(true, context)
                }
            } else {
                bodyData = .byteBuffer(body)
            }
        }
        context.write(wrapOutbound(head), promise: nil)
        if let bodyData { context.write(NIOAny(bodyData), promise: nil) }
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

    private static let notFoundBody = ByteBuffer(string: "not found\n")
    private static let notFoundHeaders = textHeaders("not found\n")

    private static func textHeaders(_ text: String) -> HTTPHeaders {
        [
            "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store",
            "Content-Length": String(text.utf8.count),
        ]
    }
}
