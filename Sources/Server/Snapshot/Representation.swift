import CompressNIO
import HTTPTypes
import Hummingbird
import NIOHTTP1

/// One resource ready to send: its bytes, a gzip copy, its tags and every header block prebuilt (for
/// Hummingbird's responder and for the NIO fast path), so answering a request is a lookup and a copy of
/// one reference.
final class Representation: Sendable {
    let sha256: String
    let etag: String
    let gzipETag: String
    /// Both tags: they name the same content, so a client revalidating with either is up to date.
    let etags: [String]
    /// Seconds since the epoch.
    let lastModified: Int64
    let identity: ByteBuffer
    /// nil when compressing does not make the body smaller.
    let gzip: ByteBuffer?
    /// The same bodies as memory files, for large bodies (nil otherwise, or when none could be made).
    let identityFile: MemoryFile?
    let gzipFile: MemoryFile?
    /// For the bodies that have memory files: the whole responses, head included.
    let wholeResponses = WholeResponseFiles()

    private let identityFields: HTTPFields
    private let gzipFields: HTTPFields
    private let notModifiedFields: HTTPFields
    private let notModifiedGzipFields: HTTPFields
    private let identityHeaders: HTTPHeaders
    private let gzipHeaders: HTTPHeaders
    private let notModifiedHeaders: HTTPHeaders
    private let notModifiedGzipHeaders: HTTPHeaders

    let contentType: String
    /// Set when this is a view's answer: the profile it serves.
    let chosenProfile: String?

    convenience init(bytes: [UInt8], sha256: String, contentType: String, lastModified: Int64) {
        let identity = ByteBuffer(bytes: bytes)
        let gzip = Self.compressed(identity)
        self.init(
            sha256: sha256, contentType: contentType, lastModified: lastModified, identity: identity, gzip: gzip,
            identityFile: MemoryFile.forBody(identity), gzipFile: MemoryFile.forBody(gzip), chosenProfile: nil)
    }

    /// `base` as a view's answer for the clients it chose `profile` for: the same bytes, tags and memory files,
    /// with headers that keep shared caches from handing it to clients elsewhere.
    convenience init(view base: Representation, profile: String) {
        self.init(
            sha256: base.sha256, contentType: base.contentType, lastModified: base.lastModified,
            identity: base.identity, gzip: base.gzip, identityFile: base.identityFile, gzipFile: base.gzipFile,
            chosenProfile: profile)
    }

    private init(
        sha256: String, contentType: String, lastModified: Int64, identity: ByteBuffer, gzip: ByteBuffer?,
        identityFile: MemoryFile?, gzipFile: MemoryFile?, chosenProfile: String?
    ) {
        self.sha256 = sha256
        self.contentType = contentType
        self.lastModified = lastModified
        self.chosenProfile = chosenProfile
        etag = EntityTag.strong(sha256: sha256)
        gzipETag = EntityTag.strong(sha256: sha256, coding: "gzip")
        self.identity = identity
        self.gzip = gzip
        self.identityFile = identityFile
        self.gzipFile = gzipFile

        // A 304 carries what a cache needs to update its stored response (RFC 9110 §15.4.5), no more.
        // What a view answers depends on the client's address, which no request header names: `Vary: *`
        // (RFC 9110 §12.5.5) and `private` keep shared caches from serving it to anyone else, and a header says
        // which profile this client got.
        var validators = HTTPFields()
        validators[.cacheControl] = chosenProfile == nil ? "no-cache" : "private, no-cache"
        validators[.lastModified] = HTTPDate.format(lastModified)
        validators[.vary] = chosenProfile == nil ? "Accept-Encoding" : "*"
        if let chosenProfile { validators.append(HTTPField(name: .xPseudoDNSProfile, value: chosenProfile)) }
        var content = HTTPFields()
        content[.contentType] = contentType
        content.append(HTTPField(name: .xContentTypeOptions, value: "nosniff"))

        var notModifiedFields = validators
        notModifiedFields[.eTag] = etag
        let identityFields = content + notModifiedFields + [.contentLength: String(identity.readableBytes)]
        var notModifiedGzipFields = validators
        notModifiedGzipFields[.eTag] = gzipETag
        let gzipFields =
            content + notModifiedGzipFields + [
                .contentEncoding: "gzip", .contentLength: String(gzip?.readableBytes ?? 0),
            ]

        self.notModifiedFields = notModifiedFields
        self.identityFields = identityFields
        self.notModifiedGzipFields = notModifiedGzipFields
        self.gzipFields = gzipFields
        identityHeaders = HTTPHeaders(identityFields)
        gzipHeaders = HTTPHeaders(gzipFields)
        notModifiedHeaders = HTTPHeaders(notModifiedFields)
        notModifiedGzipHeaders = HTTPHeaders(notModifiedGzipFields)
        etags = [etag, gzipETag]
    }

    /// What to answer, after content negotiation and conditional-request evaluation.
    enum Decision: Equatable {
        case ok(gzip: Bool)
        case notModified(gzip: Bool)
        case preconditionFailed
    }

    func decide(_ headers: some HeaderLookup) -> Decision {
        let useGzip = gzip != nil && AcceptEncoding.acceptsGzip(headers)
        let hasConditions =
            headers.contains(.ifNoneMatch) || headers.contains(.ifModifiedSince) || headers.contains(.ifMatch)
            || headers.contains(.ifUnmodifiedSince)
        guard hasConditions else { return .ok(gzip: useGzip) }
        switch Preconditions.evaluate(headers, etags: etags, lastModified: lastModified) {
        case .proceed: return .ok(gzip: useGzip)
        case .notModified: return .notModified(gzip: useGzip)
        case .preconditionFailed: return .preconditionFailed
        }
    }

    /// The response for a GET or HEAD of this resource, for Hummingbird.
    func response(to request: Request) -> Response {
        switch decide(request.headers) {
        case .notModified(let useGzip):
            return Response(
                status: .notModified, headers: useGzip ? notModifiedGzipFields : notModifiedFields, body: ResponseBody()
            )
        case .preconditionFailed:
            return Response(status: .preconditionFailed, headers: [.contentLength: "0"])
        case .ok(let useGzip):
            let headers = useGzip ? gzipFields : identityFields
            if request.method == .head {
                return Response(status: .ok, headers: headers, body: ResponseBody())
            }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: useGzip ? gzip! : identity))
        }
    }

    /// The prebuilt headers and body for a decision, for the NIO fast path (body nil for 304/412; file set
    /// when the body also exists as a memory file), with the entity-tag of the variant chosen (empty for 412).
    func nioResponse(_ decision: Decision) -> NIOResponse {
        switch decision {
        case .ok(let useGzip):
            return useGzip
                ? NIOResponse(status: .ok, headers: gzipHeaders, body: gzip!, file: gzipFile, etag: gzipETag)
                : NIOResponse(status: .ok, headers: identityHeaders, body: identity, file: identityFile, etag: etag)
        case .notModified(let useGzip):
            return NIOResponse(
                status: .notModified, headers: useGzip ? notModifiedGzipHeaders : notModifiedHeaders, body: nil,
                file: nil, etag: useGzip ? gzipETag : etag)
        case .preconditionFailed:
            return NIOResponse(
                status: .preconditionFailed, headers: ["Content-Length": "0"], body: nil, file: nil, etag: "")
        }
    }

    /// ``nioResponse(_:)``'s answer. A struct, not a tuple: a tuple of these types is copied through runtime
    /// metadata, on every request.
    struct NIOResponse {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: ByteBuffer?
        var file: MemoryFile?
        var etag: String
    }

    private static func compressed(_ buffer: ByteBuffer) -> ByteBuffer? {
        var input = buffer
        guard let output = try? input.compress(with: .gzip()), output.readableBytes < buffer.readableBytes else {
            return nil
        }
        return output
    }
}

extension HTTPHeaders {
    /// The same fields, in order, in NIO's representation.
    init(_ fields: HTTPFields) {
        self.init(fields.map { ($0.name.rawName, $0.value) })
    }
}

extension HTTPFields {
    fileprivate static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        fields.append(contentsOf: rhs)
        return fields
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    /// The profile a view chose for this client.
    static let xPseudoDNSProfile = HTTPField.Name("X-PseudoDNS-Profile")!
}
