import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 child channel with the fast path for profile requests ahead of NIO's HTTP parser
/// (it answers from the connection's bytes, or hands the connection over) and the connection's timeouts
/// just above the parser, below the conversion to HTTP types. Without the fast path (`--no-fast-path`, and
/// wherever it is not built: it is Linux-only) every request goes to Hummingbird.
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
            let timeouts = ConnectionTimeoutHandler(
                timeouts: .init(idle: configuration.idleTimeout, request: configuration.requestTimeout),
                slot: connections?.slot(for: channel))
            #if os(Linux)
                if configuration.fastPath {
                    try operations.addHandler(
                        FastPathHandler(
                            routes: routes, accounting: accounting, timeouts: timeouts,
                            configuration: .init(
                                maxHeaderBytes: configuration.decoderLimits.maxHeaderListSize,
                                maxHeaderFields: configuration.decoderLimits.maxHeaderFieldCount,
                                sendsFiles: configuration.sendsFiles)))
                }
            #endif
            try operations.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // HTTP is pipelined by NIOAsyncChannel
                withErrorHandling: false,  // Hummingbird answers parse errors
                withOutboundHeaderValidation: false,  // heads are prebuilt or validated by HTTP types
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: configuration.decoderLimits
            )
            try operations.addHandler(timeouts)
            try operations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try operations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(
                wrappingChannelSynchronously: channel,
                configuration: .init(isOutboundHalfClosureEnabled: true)
            )
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}
