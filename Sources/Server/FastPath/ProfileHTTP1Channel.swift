import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 child channel with ``FastPathHandler`` ahead of NIO's HTTP parser (it checks every
/// request head, answers the profile polls from the connection's bytes, and passes the rest on) and
/// ``HTTPPartsHandler`` just above the parser, below the conversion to HTTP types. With `--no-fast-path` the
/// checks stay and every request goes to Hummingbird; where the fast path is not built (it is Linux-only) there
/// are neither.
struct ProfileHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    struct Configuration: Sendable {
        var idleTimeout: TimeAmount
        var requestTimeout: TimeAmount
        var decoderLimits: NIOHTTPDecoderLimitConfiguration
        /// Large bodies go out as memory-file regions (sendfile); only without TLS.
        var sendsFiles: Bool
        /// Answer profile polls ahead of NIO's parser (`--no-fast-path` turns it off).
        var fastPath: Bool
    }

    /// Whether this build has the fast path (it is Linux-only: TCP_CORK and memory files).
    static var fastPathAvailable: Bool {
        #if os(Linux)
            true
        #else
            false
        #endif
    }

    let responder: HTTPChannelHandler.Responder
    let configuration: Configuration
    let routes: StaticRoutes
    let accounting: RequestAccounting
    let connections: ConnectionLimit?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            let parts = HTTPPartsHandler(
                timeouts: .init(idle: configuration.idleTimeout, request: configuration.requestTimeout),
                accounting: accounting, slot: connections?.slot(for: channel))
            #if os(Linux)
                // Without TLS (whose handler reads for its handshake) and with the fast path on, the fast path
                // asks for reads itself.
                let drivesReads = configuration.sendsFiles && configuration.fastPath
                if drivesReads { try channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false) }
                // With the fast path off it still checks every request head, and answers only refusals.
                try operations.addHandler(
                    FastPathHandler(
                        routes: routes, accounting: accounting, parts: parts,
                        configuration: .init(
                            limits: .init(
                                maxHeaderBytes: configuration.decoderLimits.maxHeaderListSize,
                                maxHeaderFields: configuration.decoderLimits.maxHeaderFieldCount),
                            sendsFiles: configuration.sendsFiles, answersPolls: configuration.fastPath,
                            drivesReads: drivesReads)))
            #endif
            try operations.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // HTTP is pipelined by NIOAsyncChannel
                withErrorHandling: false,  // HTTPPartsHandler answers parse errors
                withOutboundHeaderValidation: false,  // heads are prebuilt or validated by HTTP types
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: configuration.decoderLimits
            )
            try operations.addHandler(parts)
            try operations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try operations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            // Deinit-based teardown (the deprecated initializer; `wrappingChannelSynchronously` traps instead): a
            // connection accepted as a graceful shutdown closes the listener is dropped by NIO's server channel
            // handler before Hummingbird ever runs `executeThenClose` on it (apple/swift-nio#2813, open); its
            // writer's deinit then crashed the whole process ("Deinited NIOAsyncWriter without calling finish()"),
            // losing the answers still draining on the other connections. Now it closes that one connection.
            return try NIOAsyncChannel(
                synchronouslyWrapping: channel,
                configuration: .init(isOutboundHalfClosureEnabled: true)
            )
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}
