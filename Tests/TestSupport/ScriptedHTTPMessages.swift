/// A request as ``ScriptedHTTPServer`` saw it.
public struct ScriptedRequest: Sendable {
    public var method: String
    /// The request target without its query.
    public var path: String
    /// The request target as sent, query included.
    public var target: String
    /// Header names lowercased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The exact bytes received (request line, headers, body), for forwarding.
    public var raw: [UInt8]
    /// 0-based position among all the requests the server received.
    public var sequence: Int

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// One scripted answer: status, headers, body, and optional misbehaviour (a delay, no Content-Length); or the
/// request relayed to another loopback port.
public struct ScriptedResponse: Sendable {
    public var status: Int
    /// Sent in this order; `Content-Length` and `Connection: close` are added.
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Seconds to wait before answering (for timeouts).
    public var delay: Double
    /// Sends the body without Content-Length, ended by closing the connection (for streaming size caps).
    public var omitContentLength: Bool
    /// When set, the request goes to 127.0.0.1 on this port instead, and its answer is relayed.
    public var forwardPort: Int?
    /// When set, writes the whole answer (head and body) to the socket itself: drip-fed, endless or otherwise
    /// hostile. It must return once a write fails (the client went away) and bound itself in time and bytes.
    public var stream: (@Sendable (_ socket: Int32) -> Void)?

    public init(
        status: Int, headers: [(String, String)] = [], body: [UInt8] = [], delay: Double = 0,
        omitContentLength: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.omitContentLength = omitContentLength
    }

    public static func text(
        _ body: String, status: Int = 200, etag: String? = nil, contentType: String = "text/plain; charset=utf-8"
    ) -> ScriptedResponse {
        var headers = [("Content-Type", contentType)]
        if let etag { headers.append(("ETag", etag)) }
        return ScriptedResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    /// An answer as EC2's query API sends it (errors included).
    public static func xml(_ body: String, status: Int = 200) -> ScriptedResponse {
        text(body, status: status, contentType: "text/xml;charset=UTF-8")
    }

    public static func status(_ code: Int, body: String = "error\n") -> ScriptedResponse {
        text(body, status: code, contentType: "text/plain")
    }

    /// An answer written by `writer` straight to the socket (see ``stream``).
    public static func raw(_ writer: @escaping @Sendable (_ socket: Int32) -> Void) -> ScriptedResponse {
        var response = ScriptedResponse(status: 0)
        response.stream = writer
        return response
    }

    /// Sends the request to 127.0.0.1:port (e.g. moto_server) and relays its answer.
    public static func forward(to port: Int) -> ScriptedResponse {
        var response = ScriptedResponse(status: 0)
        response.forwardPort = port
        return response
    }
}
