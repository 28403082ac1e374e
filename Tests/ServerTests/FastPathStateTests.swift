#if os(Linux)
    import Foundation
    import Logging
    import NIOCore
    import NIOEmbedded
    import NIOHTTP1
    import Testing

    @testable import Server

    /// The connection's state machine (``FastPathHandler`` ahead of NIO's parser, ``HTTPPartsHandler`` above it)
    /// on NIO's EmbeddedChannel: bytes in, answers and the requests Hummingbird would see out, no sockets.
    @Suite struct FastPathStateTests {
        private final class EventRecorder: ChannelInboundHandler {
            typealias InboundIn = HTTPServerRequestPart
            var quiesced = 0
            func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
                if event is ChannelShouldQuiesceEvent { quiesced += 1 }
                context.fireUserInboundEventTriggered(event)
            }
        }

        /// The pipeline as ``ProfileHTTP1Channel`` builds it, with the test standing in for Hummingbird: it reads
        /// the request parts that come out on top and writes response parts in.
        private final class Connection {
            let fixture: PublishedFixture
            let channel = EmbeddedChannel()
            let gate: FastPathHandler
            let parts: HTTPPartsHandler
            let slot: ConnectionSlot
            let metrics = ServerMetrics()
            /// The events that reached Hummingbird's side (a graceful shutdown, for one).
            let events = EventRecorder()

            init(answersPolls: Bool = true) throws {
                fixture = try PublishedFixture()
                try fixture.publish("office.hosts", SampleProfiles.office)
                var loader = SnapshotLoader(directory: PublishedDirectory(path: fixture.path))
                let store = SnapshotStore(.empty)
                DirectoryWatcher.poll(&loader, store: store, logger: Logger(label: "test"))
                let accounting = RequestAccounting(metrics: metrics, accessLog: nil)
                slot = ConnectionSlot(channel: channel)
                parts = HTTPPartsHandler(
                    timeouts: .init(idle: .seconds(30), request: .seconds(30)), accounting: accounting, slot: slot)
                gate = FastPathHandler(
                    routes: StaticRoutes(store: store, tokens: nil), accounting: accounting, parts: parts,
                    configuration: .init(
                        limits: .init(maxHeaderBytes: 16 * 1024, maxHeaderFields: 100), sendsFiles: false,
                        answersPolls: answersPolls))
                let operations = channel.pipeline.syncOperations
                try operations.addHandler(gate)
                try operations.configureHTTPServerPipeline(
                    withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                    withEncoderConfiguration: .init(), withDecoderLimitConfiguration: .init())
                try operations.addHandler(parts)
                try operations.addHandler(events)
                try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            }

            deinit { fixture.remove() }

            /// The socket full (not writable) or drained again, as NIO tells the pipeline.
            func socket(writable: Bool) {
                channel.isWritable = writable
                channel.pipeline.fireChannelWritabilityChanged()
                channel.embeddedEventLoop.run()
            }

            func send(_ text: String) throws {
                try channel.writeInbound(ByteBuffer(string: text))
                channel.embeddedEventLoop.run()
            }

            /// Everything written to the socket so far, as text.
            func written() throws -> String {
                var text = ""
                while let data = try channel.readOutbound(as: IOData.self) {
                    if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
                }
                return text
            }

            /// The request heads that reached Hummingbird's side so far, as `METHOD URI`.
            func passedOn() throws -> [String] {
                var heads: [String] = []
                while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                    if case .head(let head) = part { heads.append("\(head.method.rawValue) \(head.uri)") }
                }
                return heads
            }

            /// Hummingbird's answer to the oldest request it has.
            func answerAsHummingbird(_ text: String = "ok\n") throws {
                let head = HTTPResponseHead(
                    version: .http1_1, status: .ok, headers: ["Content-Length": String(text.utf8.count)])
                channel.write(HTTPServerResponsePart.head(head), promise: nil)
                channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: text))), promise: nil)
                channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
                channel.embeddedEventLoop.run()
            }
        }

        private static let poll = "GET /profiles/office HTTP/1.1\r\nHost: h\r\n\r\n"

        @Test func aPollIsAnsweredHereAndNothingPassesOn() throws {
            let connection = try Connection()
            try connection.send(Self.poll + Self.poll)
            let written = try connection.written()
            #expect(written.components(separatedBy: "HTTP/1.1 200 OK\r\n").count == 3)
            #expect(written.hasSuffix(SampleProfiles.office))
            #expect(try connection.passedOn().isEmpty)
            #expect(connection.gate.state == .heads)
            #expect(connection.slot.idleSinceNanoseconds != nil)
        }

        @Test func withoutTheFastPathEveryRequestPassesOn() throws {
            let connection = try Connection(answersPolls: false)
            try connection.send(Self.poll)
            #expect(try connection.written().isEmpty)
            #expect(try connection.passedOn() == ["GET /profiles/office"])
        }

        /// While Hummingbird owes an answer, a poll behind it goes to Hummingbird too: answers leave in order.
        @Test func pollsBehindAHummingbirdRequestWaitTheirTurn() throws {
            let connection = try Connection()
            try connection.send("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n" + Self.poll)
            #expect(try connection.written().isEmpty)
            #expect(try connection.passedOn() == ["GET /healthz", "GET /profiles/office"])
            #expect(connection.slot.idleSinceNanoseconds == nil, "busy while Hummingbird owes answers")
            try connection.answerAsHummingbird()
            try connection.answerAsHummingbird()
            #expect(connection.slot.idleSinceNanoseconds != nil)
            // Then the fast path answers again.
            try connection.send(Self.poll)
            #expect(try connection.written().contains("X-Content-Type-Options: nosniff"))
            #expect(try connection.passedOn().isEmpty)
        }

        /// `Upgrade` lines are left out of what NIO's parser sees, so it goes on parsing after the request.
        @Test func upgradeIsLeftOutAndTheNextRequestStillParses() throws {
            let connection = try Connection()
            try connection.send(
                "GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                    + "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            var heads: [HTTPRequestHead] = []
            while let part = try connection.channel.readInbound(as: HTTPServerRequestPart.self) {
                if case .head(let head) = part { heads.append(head) }
            }
            #expect(heads.map(\.uri) == ["/healthz", "/"])
            #expect(heads.first?.headers["Upgrade"] == [])
        }

        @Test func aBareLFIsRefusedFramedDatedAndClosed() throws {
            let connection = try Connection()
            try connection.send("GET /profiles/office HTTP/1.1\nHost: h\n\n")
            let written = try connection.written()
            #expect(written.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(written.contains("\r\nContent-Length: 30\r\n"))
            #expect(written.hasSuffix("\r\n\r\nbad request: bare LF line end\n"))
            #expect(written.contains("\r\nDate: "))
            #expect(written.contains("\r\nConnection: close\r\n"))
            #expect(!connection.channel.isActive)
            #expect(connection.gate.state == .closing)
        }

        /// A refusal behind a request Hummingbird owes an answer to waits for that answer.
        @Test func aRefusalWaitsForHummingbirdsAnswer() throws {
            let connection = try Connection()
            try connection.send("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\n\r\n")
            #expect(try connection.written().isEmpty)
            #expect(connection.channel.isActive)
            try connection.answerAsHummingbird()
            let written = try connection.written()
            #expect(written.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(written.contains("ok\nHTTP/1.1 400 Bad Request\r\n"))
            #expect(written.hasSuffix("bad request: no Host header\n"))
            #expect(!connection.channel.isActive)
        }

        /// HTTP/1.0 answered by Hummingbird: `Connection: close`, then closed.
        @Test func http10OnHummingbirdsSideCloses() throws {
            let connection = try Connection()
            try connection.send("GET /healthz HTTP/1.0\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n")
            #expect(try connection.passedOn() == ["GET /healthz"], "nothing is read after a request that closes")
            try connection.answerAsHummingbird()
            #expect(try connection.written().contains("\r\nConnection: close\r\n"))
            #expect(!connection.channel.isActive)
        }

        /// While the socket is full, requests are held, and the connection is not idle.
        @Test func aFullSocketHoldsRequests() throws {
            let connection = try Connection()
            connection.socket(writable: false)
            try connection.send(Self.poll)
            #expect(try connection.written().isEmpty)
            #expect(connection.slot.idleSinceNanoseconds == nil)
            connection.socket(writable: true)
            #expect(try connection.written().hasPrefix("HTTP/1.1 200 OK\r\n"))
        }

        /// A chunked body leaves the rest of the connection to NIO's parser; its errors are answered above it.
        @Test func afterAChunkedBodyNIOsParserFramesTheRest() throws {
            let connection = try Connection()
            try connection.send(
                "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + Self.poll)
            #expect(connection.gate.state == .handedOver)
            #expect(try connection.passedOn() == ["POST /x", "GET /profiles/office"])
            try connection.answerAsHummingbird()
            try connection.answerAsHummingbird()
            _ = try connection.written()
            try connection.send("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n")
            let written = try connection.written()
            #expect(written.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(written.contains("\r\nDate: "))
            #expect(!connection.channel.isActive)
        }

        /// Closed to make room at the connection limit while its answer waits for the socket: it is answered,
        /// then the connection closes (a hard close would drop the answer NIO still holds).
        @Test func closedToMakeRoomSendsItsAnswerFirst() throws {
            let connection = try Connection()
            connection.socket(writable: false)
            try connection.send(Self.poll)
            connection.slot.closeToMakeRoom()
            connection.channel.embeddedEventLoop.run()
            #expect(connection.channel.isActive, "closed before its answer was written")
            connection.socket(writable: true)
            #expect(try connection.written().hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(!connection.channel.isActive)
        }

        /// Closed to make room, but its client does not read what is queued for it: cut off after the grace, since
        /// the connection limit no longer counts it.
        @Test func closedToMakeRoomIsCutOffAfterTheGrace() throws {
            let connection = try Connection()
            connection.socket(writable: false)
            try connection.send(Self.poll)
            connection.slot.closeToMakeRoom()
            connection.channel.embeddedEventLoop.advanceTime(by: ConnectionSlot.closeGrace - .milliseconds(1))
            #expect(connection.channel.isActive)
            connection.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
            #expect(!connection.channel.isActive, "a connection closed to make room held on past the grace")
        }

        /// Closed to make room while Hummingbird owes an answer: Hummingbird is asked to shut the connection
        /// down gracefully (it closes after its answer), and no further request is read.
        @Test func closedToMakeRoomLetsHummingbirdFinish() throws {
            let connection = try Connection()
            try connection.send("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try connection.passedOn() == ["GET /healthz"])
            connection.slot.closeToMakeRoom()
            connection.channel.embeddedEventLoop.run()
            #expect(connection.events.quiesced == 1)
            try connection.send(Self.poll)
            try connection.answerAsHummingbird()
            let written = try connection.written()
            #expect(written.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(written.components(separatedBy: "HTTP/1.1 ").count == 2, "a request read after the close was asked")
            #expect(try connection.passedOn().isEmpty)
        }

        /// The client's end of input: what was read is answered, then the connection closes.
        @Test func inputClosedDrainsThenCloses() throws {
            let connection = try Connection()
            try connection.send(Self.poll)
            connection.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            connection.channel.embeddedEventLoop.run()
            #expect(try connection.written().hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(!connection.channel.isActive)
        }
    }
#endif
