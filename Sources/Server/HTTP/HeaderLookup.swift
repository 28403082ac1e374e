import HTTPTypes

/// Read access to request headers, so conditional-request and content-negotiation logic is written once
/// for both request types the server sees: Hummingbird's `HTTPFields` and the fast path's `RawHeaders`.
protocol HeaderLookup {
    /// All values of the header (every field line), name matched case-insensitively.
    func values(_ name: HeaderName) -> [String]
    func contains(_ name: HeaderName) -> Bool
    /// The value when the header came in exactly one field line, else nil: a poll's one validator, without
    /// collecting an array of values.
    func onlyValue(_ name: HeaderName) -> String?
}

/// The request headers the server looks at: the HTTP types name, and the lowercase text the fast path matches.
struct HeaderName: Sendable {
    let field: HTTPField.Name
    let text: String
    /// Which one it is: the fast path compares this, not the text, for every header of every request.
    let id: UInt8

    static let ifMatch = HeaderName(field: .ifMatch, text: "if-match", id: 0)
    static let ifNoneMatch = HeaderName(field: .ifNoneMatch, text: "if-none-match", id: 1)
    static let ifModifiedSince = HeaderName(field: .ifModifiedSince, text: "if-modified-since", id: 2)
    static let ifUnmodifiedSince = HeaderName(field: .ifUnmodifiedSince, text: "if-unmodified-since", id: 3)
    static let acceptEncoding = HeaderName(field: .acceptEncoding, text: "accept-encoding", id: 4)
    static let authorization = HeaderName(field: .authorization, text: "authorization", id: 5)
    static let forwarded = HeaderName(field: HTTPField.Name("Forwarded")!, text: "forwarded", id: 6)
    static let xForwardedFor = HeaderName(field: HTTPField.Name("X-Forwarded-For")!, text: "x-forwarded-for", id: 7)
}

extension HTTPFields: HeaderLookup {
    func values(_ name: HeaderName) -> [String] { self[values: name.field] }
    func contains(_ name: HeaderName) -> Bool { contains(name.field) }
    func onlyValue(_ name: HeaderName) -> String? {
        let values = self[values: name.field]
        return values.count == 1 ? values[0] : nil
    }
}

extension HeaderLookup {
    /// The first value, for single-valued headers.
    func first(_ name: HeaderName) -> String? { values(name).first }
}
