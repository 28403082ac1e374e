import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 child channel with the fast path for profile requests ahead of NIO's HTTP parser
/// (it answers from the connection's bytes, or hands the connection over) and the connection's timeouts
/// just above the parser, below the conversion to HTTP types.
struct ProfileHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    struct Configuration: Sendable {
        var idleTimeout: TimeAmount
        var requestTimeout: TimeAmount
        var decoderLimits: NIOHTTPDecoderLimitConfiguration
        /// Large bodies go out as memory-file regions (sendfile); only without TLS.
        var sendsFiles: Bool
    }

    let responder: HTTPChannelHandler.Responder
    let configuration: Configuration
    let routes: StaticRoutes
    let metrics: ServerMetrics
    let accessLog: AccessLog?
    let connections: ConnectionLimit?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            let timeouts = ConnectionTimeoutHandler(
                timeouts: .init(idle: configuration.idleTimeout, request: configuration.requestTimeout),
                slot: connections?.slot(for: channel))
            try operations.addHandler(
                FastPathHandler(
                    routes: routes, metrics: metrics, accessLog: accessLog, timeouts: timeouts,
                    configuration: .init(
                        maxHeaderBytes: configuration.decoderLimits.maxHeaderListSize,
                        maxHeaderFields: configuration.decoderLimits.maxHeaderFieldCount,
                        sendsFiles: configuration.sendsFiles)))
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
