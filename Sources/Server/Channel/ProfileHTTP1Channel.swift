import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 child channel with two handlers added at the HTTP/1 level, below the conversion
/// to HTTP types: the fast path for profile requests (which also keeps the connection's timeouts) and,
/// at the head of the pipeline, the outlet it writes ready-made bytes through.
struct ProfileHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    struct Configuration: Sendable {
        var idleTimeout: TimeAmount
        var requestTimeout: TimeAmount
        var decoderLimits: NIOHTTPDecoderLimitConfiguration
    }

    let responder: HTTPChannelHandler.Responder
    let configuration: Configuration
    let routes: StaticRoutes
    let metrics: ServerMetrics
    let accessLog: Logger?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let operations = channel.pipeline.syncOperations
            let outlet = RawOutletHandler()
            try operations.addHandler(outlet)
            try operations.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // HTTP is pipelined by NIOAsyncChannel
                withErrorHandling: false,  // Hummingbird answers parse errors
                withOutboundHeaderValidation: false,  // heads are prebuilt or validated by HTTP types
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: configuration.decoderLimits
            )
            try operations.addHandler(
                FastPathHandler(
                    routes: routes, metrics: metrics, accessLog: accessLog, outlet: outlet,
                    timeouts: .init(idle: configuration.idleTimeout, request: configuration.requestTimeout)))
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
