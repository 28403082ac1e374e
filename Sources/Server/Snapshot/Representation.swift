import CompressNIO
import HTTPTypes
import Hummingbird

/// One resource ready to send: its bytes, a gzip copy, its tags and every header block prebuilt,
/// so answering a request is a lookup and a copy of references.
struct Representation: Sendable {
    let sha256: String
    let etag: String
    let gzipETag: String
    /// Seconds since the epoch.
    let lastModified: Int64
    let identity: ByteBuffer
    /// nil when compressing does not make the body smaller.
    let gzip: ByteBuffer?

    private let identityHeaders: HTTPFields
    private let gzipHeaders: HTTPFields
    private let notModifiedHeaders: HTTPFields
    private let notModifiedGzipHeaders: HTTPFields

    init(bytes: [UInt8], sha256: String, contentType: String, lastModified: Int64) {
        self.sha256 = sha256
        self.lastModified = lastModified
        etag = EntityTag.strong(sha256: sha256)
        gzipETag = EntityTag.strong(sha256: sha256, coding: "gzip")
        identity = ByteBuffer(bytes: bytes)
        gzip = Self.compressed(identity)

        // A 304 carries what a cache needs to update its stored response (RFC 9110 §15.4.5), no more.
        var validators = HTTPFields()
        validators[.cacheControl] = "no-cache"
        validators[.lastModified] = HTTPDate.format(lastModified)
        validators[.vary] = "Accept-Encoding"
        var content = HTTPFields()
        content[.contentType] = contentType
        content.append(HTTPField(name: .xContentTypeOptions, value: "nosniff"))

        var notModifiedHeaders = validators
        notModifiedHeaders[.eTag] = etag
        self.notModifiedHeaders = notModifiedHeaders
        identityHeaders = content + notModifiedHeaders + [.contentLength: String(identity.readableBytes)]

        var notModifiedGzipHeaders = validators
        notModifiedGzipHeaders[.eTag] = gzipETag
        self.notModifiedGzipHeaders = notModifiedGzipHeaders
        gzipHeaders =
            content + notModifiedGzipHeaders + [
                .contentEncoding: "gzip", .contentLength: String(gzip?.readableBytes ?? 0),
            ]
    }

    /// The response for a GET or HEAD of this resource, after conditional-request evaluation.
    func response(to request: Request) -> Response {
        let useGzip = gzip != nil && AcceptEncoding.acceptsGzip(request.headers)
        let hasConditions =
            request.headers.contains(.ifNoneMatch) || request.headers.contains(.ifModifiedSince)
            || request.headers.contains(.ifMatch) || request.headers.contains(.ifUnmodifiedSince)
        if hasConditions {
            switch Preconditions.evaluate(request.headers, etags: [etag, gzipETag], lastModified: lastModified) {
            case .proceed:
                break
            case .notModified:
                return Response(
                    status: .notModified,
                    headers: useGzip ? notModifiedGzipHeaders : notModifiedHeaders,
                    body: ResponseBody()
                )
            case .preconditionFailed:
                return Response(status: .preconditionFailed, headers: [.contentLength: "0"])
            }
        }
        let headers = useGzip ? gzipHeaders : identityHeaders
        if request.method == .head {
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: useGzip ? gzip! : identity))
    }

    private static func compressed(_ buffer: ByteBuffer) -> ByteBuffer? {
        var input = buffer
        guard let output = try? input.compress(with: .gzip()), output.readableBytes < buffer.readableBytes else {
            return nil
        }
        return output
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
}
