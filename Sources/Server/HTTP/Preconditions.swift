/// Outcome of evaluating a request's preconditions against the selected representation.
enum PreconditionResult: Equatable {
    case proceed
    case notModified
    case preconditionFailed
}

/// RFC 9110 §13.2.2 evaluation order for a GET or HEAD: If-Match, else If-Unmodified-Since;
/// then If-None-Match (weak comparison), else If-Modified-Since.
enum Preconditions {
    /// - Parameters:
    ///   - etags: the tags that identify this content (the identity tag and its gzip variant's tag: both name the
    ///     same bytes, so a client revalidating with either is up to date).
    ///   - lastModified: seconds since the epoch, as sent in Last-Modified.
    static func evaluate(_ headers: some HeaderLookup, etags: [String], lastModified: Int64) -> PreconditionResult {
        let ifMatch = headers.values(.ifMatch)
        if !ifMatch.isEmpty {
            if !EntityTag.strongMatch(EntityTag.parseList(ifMatch), any: etags) { return .preconditionFailed }
        } else if let value = headers.first(.ifUnmodifiedSince), let date = HTTPDate.parse(value), lastModified > date {
            return .preconditionFailed
        }
        // The common case — a client sending back the one tag it got — without parsing a list.
        if let only = headers.onlyValue(.ifNoneMatch), etags.contains(only) { return .notModified }
        let ifNoneMatch = headers.contains(.ifNoneMatch) ? headers.values(.ifNoneMatch) : []
        if !ifNoneMatch.isEmpty {
            return EntityTag.weakMatch(EntityTag.parseList(ifNoneMatch), any: etags) ? .notModified : .proceed
        }
        if let value = headers.first(.ifModifiedSince), let date = HTTPDate.parse(value), lastModified <= date {
            return .notModified
        }
        return .proceed
    }
}
