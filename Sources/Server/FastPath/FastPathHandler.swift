#if os(Linux)
    import Glibc
    import Logging
    import NIOCore
    import NIOHTTP1

    /// The connection's bytes, ahead of NIO's HTTP parser: every request head is checked here first
    /// (``RequestHead``), and the plain polls — GET and HEAD of `/profiles`, `/profiles/NAME`,
    /// `/profiles/NAME.sig` — are answered here (the fast path), from the snapshot's prebuilt representations:
    /// the serialized head is cached per connection, and large bodies go out as memory-file regions (`sendfile`).
    ///
    /// One state machine for the connection (``State``):
    /// - `heads`: each complete head is refused (answered 4xx/5xx and closed), answered here, or passed on to NIO's
    ///   parser and Hummingbird, the `Upgrade` lines left out. While Hummingbird has requests unanswered, every
    ///   request goes to it, so answers leave in request order.
    /// - `body`: a request body (`Content-Length`) is passed on; then back to `heads`.
    /// - `handedOver`: after a chunked body, NIO's parser frames the rest of the connection (``HTTPPartsHandler``
    ///   answers its errors).
    /// - `closing`: the last answer is written (or held until Hummingbird's earlier answers are written); input
    ///   is ignored and the connection closes once the answers are sent.
    /// Input ending (the client's half-close, or a graceful shutdown) drains: what was read is answered, then the
    /// connection closes once sent, or the event goes on to Hummingbird while it has answers to give.
    ///
    /// Backpressure: while the socket is not writable (a client that pipelines and does not read), it stops
    /// and holds further reads, so neither queued answers nor unread requests pile up. Closed to make room at
    /// the connection limit (``ConnectionSlot/CloseToMakeRoom``), it drains as for a graceful shutdown, so the
    /// answers it queued reach the client before the close.
    ///
    /// Reading (``Configuration/drivesReads``): NIO's own reading after every read is off for the connection,
    /// and this handler asks for the next read instead, as NIO would — from the pipeline's end while
    /// Hummingbird has a request (so NIOAsyncChannel's backpressure holds), but straight from here while it
    /// has none, so a poll's read does not travel through Hummingbird's handlers for nothing.
    ///
    /// With `answersPolls` off (`--no-fast-path`) it answers nothing itself but the refusals.
    final class FastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        typealias OutboundIn = IOData
        typealias OutboundOut = IOData

        struct Configuration {
            var limits: RequestHead.Limits
            /// Send large bodies as memory-file regions; off under TLS, which must see the bytes.
            var sendsFiles: Bool
            /// Answer the plain polls here (the fast path); off, every request goes to Hummingbird.
            var answersPolls: Bool
            /// Ask for reads here rather than have NIO ask after every read (its `autoRead` is then off).
            var drivesReads = false
        }

        enum State: Equatable {
            case heads
            case body(remaining: Int)
            case handedOver
            case closing
        }

        private let routes: StaticRoutes
        private let accounting: RequestAccounting
        private let parts: HTTPPartsHandler
        private let configuration: Configuration

        private(set) var state = State.heads
        /// Graceful shutdown or the client's end of input: answer what was already read, read no more, then
        /// close once it is sent.
        private var draining = false
        /// The event that started draining, for Hummingbird when it still has answers to give.
        private var endEvent: Any?
        /// Bytes read but not yet dealt with: an incomplete head, or requests waiting for the socket.
        private var pending: ByteBuffer?
        /// How many bytes of `pending` were searched for a line end, so a head sent in many small pieces is
        /// searched once, not once per piece.
        private var searched = 0
        /// A read was asked for while the socket was not writable; pass it on once it is.
        private var readHeld = false
        private var needsFlush = false
        /// Something went on to NIO's parser since the last read completed.
        private var passedOn = false
        /// A refusal waiting for Hummingbird's answers to the requests before it.
        private var heldRefusal: (answer: PlainAnswer, method: String, path: Substring)?
        private var context: ChannelHandlerContext?
        /// TCP_CORK is set: the head and a file-region body leave as full segments instead of the head alone
        /// in a packet of its own (nginx's `tcp_nopush`). Lifted at the flush that ends the burst.
        private var corked = false
        private var headCache: HeadCache?
        private var files = ConnectionFileHandles()
        /// The peer as the access log shows it, formatted at the first request.
        private var peerText: [UInt8]?
        /// The path and header values of this connection's last requests, made into strings once.
        private var strings = RecentStrings()
        /// The last fast-path request's path and route, and what the route named: a client polls one path.
        private var lastRoute: PathRoute?
        private var lookup: StaticRoutes.Memo?

        init(
            routes: StaticRoutes, accounting: RequestAccounting, parts: HTTPPartsHandler, configuration: Configuration
        ) {
            self.routes = routes
            self.accounting = accounting
            self.parts = parts
            self.configuration = configuration
        }

        func handlerAdded(context: ChannelHandlerContext) {
            self.context = context
            // Turning NIO's reading off drops a read it already asked for: ask again (else channelActive does).
            if configuration.drivesReads, context.channel.isActive { context.channel.read() }
            parts.onHummingbirdIdle = { [weak self] in self?.hummingbirdIdle() }
            parts.onClosing = { [weak self] in
                self?.state = .closing
                self?.pending = nil
            }
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            files.closeAll()
            parts.onHummingbirdIdle = nil
            parts.onClosing = nil
            self.context = nil
        }

        // MARK: Inbound

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch state {
            case .handedOver:
                context.fireChannelRead(data)
                return
            case .closing:
                return
            case .heads, .body:
                if draining { return }
            }
            var buffer = unwrapInboundIn(data)
            if pending == nil {
                pending = buffer
            } else {
                pending!.writeBuffer(&buffer)
            }
            process(context)
        }

        func channelActive(context: ChannelHandlerContext) {
            context.fireChannelActive()
            if configuration.drivesReads { context.channel.read() }
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            flushIfNeeded(context)
            if passedOn || state == .handedOver {
                passedOn = false
                context.fireChannelReadComplete()
            }
            if configuration.drivesReads { askForMore(context) }
        }

        /// What NIO does after every read while its `autoRead` is on: through the whole pipeline while
        /// Hummingbird has a request (its backpressure may hold the read), else straight from here.
        private func askForMore(_ context: ChannelHandlerContext) {
            if state == .heads, parts.isIdle {
                read(context: context)
            } else {
                context.channel.read()
            }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            let makesRoom = event is ConnectionSlot.CloseToMakeRoom
            if makesRoom, parts.isIdle, state == .handedOver || (state == .heads && pending == nil) {
                // Nothing unanswered was read, so there is nothing of the client's to linger for: the descriptor
                // is free as soon as the answers written reach the socket (at once, unless answers are still
                // queued for a slow reader). Also after a chunked body, where Hummingbird, told to quiesce while
                // idle, would close at once and drop them.
                state = .closing
                let sent = context.eventLoop.makePromise(of: Void.self)
                context.write(wrapOutbound(ByteBuffer()), promise: sent)
                needsFlush = true
                flushIfNeeded(context)
                sent.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                return
            }
            let ends = makesRoom || event is ChannelShouldQuiesceEvent || (event as? ChannelEvent) == .inputClosed
            guard ends, state != .handedOver else {
                flushIfNeeded(context)
                context.fireUserInboundEventTriggered(event)
                return
            }
            // With no request of Hummingbird's in progress, Hummingbird would close the connection at once,
            // dropping answers still queued for a slow reader: close once they are sent instead.
            if !draining {
                draining = true
                // Hummingbird knows a graceful shutdown, not the connection limit's event.
                endEvent = makesRoom ? ChannelShouldQuiesceEvent() : event
            }
            process(context)
            completePassedOn(context)
            flushIfNeeded(context)
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable, state != .handedOver {
                process(context)
                completePassedOn(context)
                flushIfNeeded(context)
                if readHeld {
                    readHeld = false
                    context.read()
                }
            }
            context.fireChannelWritabilityChanged()
        }

        // MARK: Outbound

        /// Hummingbird's flush also sends the fast path's answers written since (after Hummingbird's last
        /// answer, ``hummingbirdIdle()``).
        func flush(context: ChannelHandlerContext) {
            needsFlush = true
            flushIfNeeded(context)  // which also lifts TCP_CORK, set for a body of the fast path's
        }

        func read(context: ChannelHandlerContext) {
            if state != .handedOver {
                if draining { return }
                if !context.channel.isWritable {
                    readHeld = true
                    return
                }
            }
            context.read()
        }

        // MARK: The state machine

        /// Deals with every complete request in `pending`; stops at an incomplete one, when the socket is full,
        /// or when the state leaves `heads` and `body`. Draining, it ends the connection once nothing is left.
        private func process(_ context: ChannelHandlerContext) {
            while var buffer = pending, buffer.readableBytes > 0, context.channel.isWritable {
                switch state {
                case .handedOver, .closing:
                    return
                case .body(let remaining):
                    let count = min(remaining, buffer.readableBytes)
                    passOn(buffer.readSlice(length: count)!, context)
                    pending = buffer.readableBytes > 0 ? buffer : nil
                    state = remaining == count ? .heads : .body(remaining: remaining - count)
                case .heads:
                    // A head's first bytes are parsed at once; a head that arrives in pieces is parsed again only
                    // when a piece completes a line worth it.
                    let parsed = buffer.withUnsafeReadableBytes { bytes in
                        searched == 0 || RequestHead.completesSomething(bytes, from: max(0, searched - 3))
                            ? RequestHead.parse(bytes, limits: configuration.limits, strings: &strings) : .incomplete
                    }
                    switch consume parsed {
                    case .incomplete:
                        searched = buffer.readableBytes
                        if buffer.readableBytes > configuration.limits.maxHeaderBytes {
                            refuse(.headersTooLarge, method: "-", path: "-", context)
                        }
                        return
                    case .refused(let answer, let method, let path):
                        refuse(answer, method: method, path: path, context)
                        return
                    case .head(let head):
                        searched = 0
                        if configuration.answersPolls, head.isPlainPoll, parts.isIdle,
                            answer(head, context: context)
                        {
                            buffer.moveReaderIndex(forwardBy: head.length)
                            pending = buffer.readableBytes > 0 ? buffer : nil
                            if !head.keepAlive { close(context) }
                            continue
                        }
                        passOn(head, from: &buffer, context)
                        pending = buffer.readableBytes > 0 ? buffer : nil
                        if !head.keepAlive {
                            // Hummingbird answers it and ``HTTPPartsHandler`` closes the connection then.
                            state = .closing
                            pending = nil
                            return
                        }
                        switch head.body {
                        case .none: break
                        case .length(let count): state = .body(remaining: count)
                        case .chunked:
                            state = .handedOver
                            if let rest = pending {
                                pending = nil
                                passOn(rest, context)
                            }
                            if let endEvent {
                                self.endEvent = nil
                                context.fireUserInboundEventTriggered(endEvent)
                            }
                            return
                        }
                    }
                }
            }
            if draining, context.channel.isWritable { endInput(context) }
        }

        /// Input ended and everything answerable was dealt with.
        private func endInput(_ context: ChannelHandlerContext) {
            switch state {
            case .closing, .handedOver: return
            case .heads, .body:
                pending = nil
                if parts.isIdle {
                    close(context)
                } else if let endEvent {
                    // Hummingbird still has answers to give; it ends the connection after them.
                    self.endEvent = nil
                    state = .closing
                    passedOn = true
                    context.fireUserInboundEventTriggered(endEvent)
                }
            }
        }

        /// Refuses the request: answered (once Hummingbird's answers before it are written), then closed.
        private func refuse(_ answer: PlainAnswer, method: String, path: Substring, _ context: ChannelHandlerContext) {
            state = .closing
            pending = nil
            if parts.isIdle {
                write(answer, method: method, path: path, context)
                close(context)
            } else {
                heldRefusal = (answer, method, path)
            }
        }

        /// Hummingbird's last outstanding answer was just written.
        private func hummingbirdIdle() {
            guard let context else { return }
            if let held = heldRefusal {
                heldRefusal = nil
                write(held.answer, method: held.method, path: held.path, context)
                close(context)
            } else if state != .handedOver {
                process(context)
                completePassedOn(context)
            }
        }

        /// A request went on to Hummingbird outside a read (the socket drained, Hummingbird went idle, input
        /// ended): NIOAsyncChannel hands what it got to Hummingbird only at a read's end, so end one now, or
        /// the request waits for bytes the client may never send.
        private func completePassedOn(_ context: ChannelHandlerContext) {
            if passedOn {
                passedOn = false
                context.fireChannelReadComplete()
            }
        }

        private func passOn(_ head: RequestHead, from buffer: inout ByteBuffer, _ context: ChannelHandlerContext) {
            var bytes = buffer.readSlice(length: head.length)!
            if !head.upgradeLines.isEmpty {
                // Without them NIO's parser sees no upgrade, and goes on parsing the requests after this one.
                var kept = context.channel.allocator.buffer(capacity: head.length)
                var offset = 0
                for line in head.upgradeLines {
                    var before = bytes.getSlice(at: bytes.readerIndex + offset, length: line.lowerBound - offset)!
                    kept.writeBuffer(&before)
                    offset = line.upperBound
                }
                var after = bytes.getSlice(at: bytes.readerIndex + offset, length: head.length - offset)!
                kept.writeBuffer(&after)
                bytes = kept
            }
            passOn(bytes, context)
        }

        private func passOn(_ bytes: ByteBuffer, _ context: ChannelHandlerContext) {
            flushIfNeeded(context)
            passedOn = true
            context.fireChannelRead(wrapInboundOut(bytes))
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
        private func close(_ context: ChannelHandlerContext) {
            state = .closing
            pending = nil
            let sent = context.eventLoop.makePromise(of: Void.self)
            context.write(wrapOutbound(ByteBuffer()), promise: sent)
            needsFlush = true
            flushIfNeeded(context)
            context.closeLingering(after: sent.futureResult)
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

        /// Writes a refusal, with `Connection: close`; counted and logged like every answer.
        private func write(_ answer: PlainAnswer, method: String, path: Substring, _ context: ChannelHandlerContext) {
            let status = HTTPResponseStatus(statusCode: answer.status, reasonPhrase: answer.reasonPhrase)
            let head = Self.serialize(
                status, HTTPHeaders(answer.headers.map { ($0.name, $0.value) }), connection: .close,
                allocator: context.channel.allocator)
            let body = method == "HEAD" ? nil : ByteBuffer(string: answer.text)
            parts.fastPathAnswered()
            writeSeparately(head: head, body: body, file: nil, context: context)
            needsFlush = true
            accounting.answered(
                method: method, path: path, route: Route(path: path).label, status: answer.status,
                bodyBytes: body?.readableBytes ?? 0, started: accounting.start, remoteText: { remoteText(context) })
        }

        private func remoteText(_ context: ChannelHandlerContext) -> [UInt8] {
            if let peerText { return peerText }
            let text = AccessLogLine.text(of: context.channel.remoteAddress)
            peerText = text
            return text
        }

        /// Writes the response and returns true when the request is one of the static routes.
        private func answer(_ request: RequestHead, context: ChannelHandlerContext) -> Bool {
            let started = accounting.start
            let route: Route
            if let last = lastRoute, last.path == request.path {
                route = last.route
            } else {
                route = Route(path: request.path)
                lastRoute = PathRoute(path: request.path, route: route)
            }
            guard
                let answer = routes.answer(
                    route, headers: request.headers, peer: context.channel.remoteAddress, memo: &lookup)
            else {
                return false
            }

            let connection: ConnectionHeader = !request.keepAlive ? .close : (request.isHTTP10 ? .keepAlive : .none)
            let status: Int
            var body: ByteBuffer?
            var file: MemoryFile?
            var whole: MemoryFile?
            let headBytes: ByteBuffer
            switch answer {
            case .representation(let representation, let decision):
                if case .ok(let useGzip) = decision {
                    body = useGzip ? representation.gzip : representation.identity
                    if configuration.sendsFiles {
                        file = useGzip ? representation.gzipFile : representation.identityFile
                    }
                }
                // Clients poll the same profile over a kept-alive connection: reuse the serialized head (with
                // its Date) while nothing in it changes (the representation and the decision fix its headers).
                let key = HeadCacheKey(decision: decision, second: HTTPDateCache.second, connection: connection)
                if let cached = headCache, cached.representation === representation, cached.key == key {
                    headBytes = cached.bytes
                    status = cached.status
                } else {
                    let response = representation.nioResponse(decision)
                    status = Int(response.status.code)
                    headBytes = Self.serialize(
                        response.status, response.headers, connection: connection,
                        allocator: context.channel.allocator)
                    headCache = HeadCache(representation: representation, key: key, bytes: headBytes, status: status)
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
                status = plain.status
                body = ByteBuffer(string: plain.text)
                headBytes = Self.serialize(
                    HTTPResponseStatus(statusCode: plain.status, reasonPhrase: plain.reasonPhrase),
                    HTTPHeaders(plain.headers.map { ($0.name, $0.value) }), connection: connection,
                    allocator: context.channel.allocator)
            }
            if request.method == .head { body = nil }

            parts.fastPathAnswered()
            if let whole, let handle = files.handle(for: whole, outlet: context) {
                context.write(
                    NIOAny(IOData.fileRegion(FileRegion(fileHandle: handle, readerIndex: 0, endIndex: whole.count))),
                    promise: nil)
            } else {
                writeSeparately(head: headBytes, body: body, file: file, context: context)
            }
            needsFlush = true

            accounting.answered(
                method: request.methodName, path: request.path, route: route.label, status: status,
                bodyBytes: body?.readableBytes ?? 0, started: started, remoteText: { remoteText(context) })
            return true
        }

        /// The head, then the body: as a memory-file region (corked, so the head does not leave alone in a
        /// packet) when there is a file, else from memory.
        private func writeSeparately(
            head: ByteBuffer, body: ByteBuffer?, file: MemoryFile?, context: ChannelHandlerContext
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
            context.write(wrapOutbound(head), promise: nil)
            if let bodyData { context.write(NIOAny(bodyData), promise: nil) }
        }

        private enum ConnectionHeader: Equatable {
            case none
            case keepAlive
            case close
        }

        private struct PathRoute {
            var path: Substring
            var route: Route
        }

        /// A struct, not a tuple: an optional tuple of these types is copied through runtime metadata.
        private struct HeadCache {
            var representation: Representation
            var key: HeadCacheKey
            var bytes: ByteBuffer
            var status: Int
        }

        private struct HeadCacheKey: Equatable {
            var decision: Representation.Decision
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
