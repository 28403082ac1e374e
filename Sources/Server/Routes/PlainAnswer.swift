/// A short text answer — a refusal or an error — described once, so that the fast path and the Hummingbird
/// routes send the same status, headers and body for it.
struct PlainAnswer: Sendable, Equatable {
    let status: Int
    let reasonPhrase: String
    let text: String
    /// Headers after Content-Type, Cache-Control and Content-Length.
    let extra: [Header]
    /// The request cannot be framed or trusted: the connection closes after the answer.
    let closes: Bool

    struct Header: Sendable, Equatable {
        let name: String
        let value: String
    }

    /// Every header, in the order sent.
    var headers: [Header] {
        [
            Header(name: "Content-Type", value: "text/plain; charset=utf-8"),
            Header(name: "Cache-Control", value: "no-store"),
            Header(name: "Content-Length", value: String(text.utf8.count)),
        ] + extra
    }

    static let notFound = PlainAnswer(
        status: 404, reasonPhrase: "Not Found", text: "not found\n", extra: [], closes: false)

    static let methodNotAllowed = PlainAnswer(
        status: 405, reasonPhrase: "Method Not Allowed", text: "method not allowed\n",
        extra: [Header(name: "Allow", value: "GET, HEAD")], closes: false)

    static let unauthorizedChallenge = "Bearer realm=\"pseudodns\""
    static let invalidTokenChallenge = "Bearer realm=\"pseudodns\", error=\"invalid_token\""

    static func unauthorized(invalidToken: Bool) -> PlainAnswer {
        PlainAnswer(
            status: 401, reasonPhrase: "Unauthorized",
            text: invalidToken ? "the bearer token is not valid\n" : "a bearer token is required\n",
            extra: [
                Header(name: "WWW-Authenticate", value: invalidToken ? invalidTokenChallenge : unauthorizedChallenge)
            ], closes: false)
    }

    /// A request that is not HTTP/1.1 as RFC 9112 frames it; `why` names the rule it broke.
    static func badRequest(_ why: String) -> PlainAnswer {
        PlainAnswer(status: 400, reasonPhrase: "Bad Request", text: "bad request: \(why)\n", extra: [], closes: true)
    }

    /// CONNECT: no tunnels here, and no way to know where the request ends, so the connection closes.
    static let connectNotAllowed = PlainAnswer(
        status: 405, reasonPhrase: "Method Not Allowed", text: "method not allowed\n",
        extra: [Header(name: "Allow", value: "GET, HEAD")], closes: true)

    static let headersTooLarge = PlainAnswer(
        status: 431, reasonPhrase: "Request Header Fields Too Large", text: "request header fields too large\n",
        extra: [], closes: true)

    static let versionNotSupported = PlainAnswer(
        status: 505, reasonPhrase: "HTTP Version Not Supported", text: "only HTTP/1.0 and HTTP/1.1 are served\n",
        extra: [], closes: true)

    /// A method this server does not know (RFC 9110 §9.1).
    static let methodNotImplemented = PlainAnswer(
        status: 501, reasonPhrase: "Not Implemented", text: "method not implemented\n",
        extra: [Header(name: "Allow", value: "GET, HEAD")], closes: true)

    /// A transfer coding other than chunked alone.
    static let codingNotImplemented = PlainAnswer(
        status: 501, reasonPhrase: "Not Implemented", text: "transfer coding not implemented\n", extra: [],
        closes: true)
}
