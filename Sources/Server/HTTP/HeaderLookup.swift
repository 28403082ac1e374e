import HTTPTypes

/// Read access to request headers, so conditional-request and content-negotiation logic is written once
/// for both request types the server sees: Hummingbird's `HTTPFields` and the fast path's `RawHeaders`.
protocol HeaderLookup {
    /// All values of the header (every field line), name matched case-insensitively.
    func values(_ name: HeaderName) -> [String]
    func contains(_ name: HeaderName) -> Bool
}

/// The request headers the server looks at: the HTTP types name, and the lowercase text the fast path matches.
struct HeaderName: Sendable {
    let field: HTTPField.Name
    let text: String

    static let ifMatch = HeaderName(field: .ifMatch, text: "if-match")
    static let ifNoneMatch = HeaderName(field: .ifNoneMatch, text: "if-none-match")
    static let ifModifiedSince = HeaderName(field: .ifModifiedSince, text: "if-modified-since")
    static let ifUnmodifiedSince = HeaderName(field: .ifUnmodifiedSince, text: "if-unmodified-since")
    static let acceptEncoding = HeaderName(field: .acceptEncoding, text: "accept-encoding")
    static let authorization = HeaderName(field: .authorization, text: "authorization")
    static let forwarded = HeaderName(field: HTTPField.Name("Forwarded")!, text: "forwarded")
    static let xForwardedFor = HeaderName(field: HTTPField.Name("X-Forwarded-For")!, text: "x-forwarded-for")
}

extension HTTPFields: HeaderLookup {
    func values(_ name: HeaderName) -> [String] { self[values: name.field] }
    func contains(_ name: HeaderName) -> Bool { contains(name.field) }
}

extension HeaderLookup {
    /// The first value, for single-valued headers.
    func first(_ name: HeaderName) -> String? { values(name).first }
}
