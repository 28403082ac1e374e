#if os(Linux)
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
    ///
    /// Backpressure: while the socket is not writable (a client that pipelines and does not read), it stops
    /// answering and holds further reads, so neither queued answers nor unread requests pile up.
    final class FastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        typealias OutboundIn = IOData
        typealias OutboundOut = IOData

        struct Configuration {
            var maxHeaderBytes: Int
            var maxHeaderFields: Int
            /// Send large bodies as memory-file regions; off under TLS, which must see the bytes.
            var sendsFiles: Bool
        }

        private let routes: StaticRoutes
        private let accounting: RequestAccounting
        private let timeouts: ConnectionTimeoutHandler
        private let configuration: Configuration

        /// The connection belongs to Hummingbird now.
        private var handedOver = false
        /// The connection closes once what was answered is sent: ignore what follows.
        private var closing = false
        /// Graceful shutdown or the client's end of input: answer what was already read, read no more, then
        /// close once it is sent.
        private var draining = false
        /// The event that started draining, for Hummingbird should the connection be handed over after all.
        private var endEvent: Any?
        /// Bytes read but not yet answered: an incomplete request head, or requests waiting for the socket.
        private var pending: ByteBuffer?
        /// How many bytes of `pending` are known to hold no complete head, so a head sent in many small pieces
        /// is searched once, not once per piece.
        private var searched = 0
        /// A read was asked for while the socket was not writable; pass it on once it is.
        private var readHeld = false
        private var needsFlush = false
        /// TCP_CORK is set: the head and a file-region body leave as full segments instead of the head alone
        /// in a packet of its own (nginx's `tcp_nopush`). Lifted at the flush that ends the burst.
        private var corked = false
        private var headCache: (representation: Representation, key: HeadCacheKey, bytes: ByteBuffer)?
        private var files = ConnectionFileHandles()

        init(
            routes: StaticRoutes, accounting: RequestAccounting, timeouts: ConnectionTimeoutHandler,
            configuration: Configuration
        ) {
            self.routes = routes
            self.accounting = accounting
            self.timeouts = timeouts
            self.configuration = configuration
        }

        // MARK: Inbound

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if handedOver {
                context.fireChannelRead(data)
                return
            }
            if closing || draining { return }
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
            // Graceful shutdown, or the client closed its side. With no request of Hummingbird's in progress,
            // Hummingbird would close the connection at once, dropping answers still queued for a slow
            // reader: close once they are sent instead.
            let ends = event is ChannelShouldQuiesceEvent || (event as? ChannelEvent) == .inputClosed
            if ends, !handedOver || timeouts.isIdle {
                if !handedOver {
                    draining = true
                    endEvent = event
                    answerPending(context: context)
                    flushIfNeeded(context)
                } else if !closing {
                    closing = true
                    closeAfterWrites(context)
                }
                return
            }
            flushIfNeeded(context)
            context.fireUserInboundEventTriggered(event)
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable, !handedOver {
                answerPending(context: context)
                flushIfNeeded(context)
                if readHeld {
                    readHeld = false
                    context.read()
                }
            }
            context.fireChannelWritabilityChanged()
        }

        // MARK: Outbound

        func read(context: ChannelHandlerContext) {
            if draining, !handedOver { return }
            if !handedOver, !context.channel.isWritable {
                readHeld = true
                return
            }
            context.read()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            files.closeAll()
        }

        /// Answers every complete request in `pending`; stops at an incomplete one, when the socket is full,
        /// or hands over. Draining, it closes the connection once nothing answerable is left.
        private func answerPending(context: ChannelHandlerContext) {
            answerComplete(context: context)
            if draining, !closing, !handedOver, context.channel.isWritable {
                closing = true
                pending = nil
                closeAfterWrites(context)
            }
        }

        private func answerComplete(context: ChannelHandlerContext) {
            while var buffer = pending, buffer.readableBytes > 0, !closing, context.channel.isWritable {
                let parsed = buffer.withUnsafeReadableBytes { bytes in
                    RawRequest.containsHeadEnd(bytes, from: max(0, searched - 3))
                        ? RawRequest.parse(bytes, maxHeaderFields: configuration.maxHeaderFields) : .incomplete
                }
                switch parsed {
                case .incomplete:
                    searched = buffer.readableBytes
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
                    searched = 0
                }
            }
        }

        private func handOver(_ context: ChannelHandlerContext) {
            handedOver = true
            flushIfNeeded(context)
            if readHeld {
                readHeld = false
                context.read()
            }
            if let pending {
                self.pending = nil
                context.fireChannelRead(wrapInboundOut(pending))
            }
            if let endEvent {
                self.endEvent = nil
                context.fireUserInboundEventTriggered(endEvent)
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
            let started = accounting.start
            guard let answer = routes.answer(route, headers: request.headers, peer: context.channel.remoteAddress)
            else {
                return false
            }

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
                if let cached = headCache, cached.representation === representation, cached.key == key {
                    headBytes = cached.bytes
                } else {
                    headBytes = Self.serialize(
                        status, response.headers, connection: connection, allocator: context.channel.allocator)
                    headCache = (representation, key, headBytes)
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
            case .plain(let plain):
                status = HTTPResponseStatus(statusCode: plain.status, reasonPhrase: plain.reasonPhrase)
                body = ByteBuffer(string: plain.text)
                headBytes = Self.serialize(
                    status, HTTPHeaders(plain.headers.map { ($0.name, $0.value) }), connection: connection,
                    allocator: context.channel.allocator)
            }
            if request.method == .head { body = nil }

            // Until the answer has reached the socket, the connection is not idle: a client that pipelines and
            // does not read holds answers here, which closing it as idle would lose.
            let sent = context.eventLoop.makePromise(of: Void.self)
            timeouts.fastPathAnswerQueued()
            sent.futureResult.assumeIsolated().whenComplete { [timeouts] _ in timeouts.fastPathAnswerSent() }
            if let whole, let handle = files.handle(for: whole, outlet: context) {
                context.write(
                    NIOAny(IOData.fileRegion(FileRegion(fileHandle: handle, readerIndex: 0, endIndex: whole.count))),
                    promise: sent)
            } else {
                writeSeparately(head: headBytes, body: body, file: file, context: context, sent: sent)
            }
            needsFlush = true
            if !request.keepAlive {
                closing = true
                pending = nil
                closeAfterWrites(context)
            }

            accounting.answered(
                method: request.method == .get ? "GET" : "HEAD", path: request.path, route: route.label,
                status: Int(status.code), bodyBytes: body?.readableBytes ?? 0, started: started,
                remote: context.channel.remoteAddress)
            return true
        }

        /// The head, then the body: as a memory-file region (corked, so the head does not leave alone in a
        /// packet) when there is a file, else from memory.
        private func writeSeparately(
            head: ByteBuffer, body: ByteBuffer?, file: MemoryFile?, context: ChannelHandlerContext,
            sent: EventLoopPromise<Void>
        ) {
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
            if let bodyData {
                context.write(wrapOutbound(head), promise: nil)
                context.write(NIOAny(bodyData), promise: sent)
            } else {
                context.write(wrapOutbound(head), promise: sent)
            }
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
    }
#endif
