import Foundation
import HostsCore
import NIOCore

/// Fetches `URL.sig` for a segment with pinned keys and runs every HostsCore check on it: profile name (one of the
/// segment's), digest of the exact bytes, signature by a pinned key, serial not below the last accepted one of that
/// profile, age within `max-age`.
struct SignatureCheck {
    /// A signature document is a few hundred bytes; anything much larger is not one.
    static let maxSignatureBytes = 64 * 1024

    var url: String
    var trust: SegmentTrust
    /// What was recorded of the copies accepted before (nil before the first): their serials are the floors.
    var accepted: SegmentMeta?
    var fetcher: RemoteFetcher
    var limits: FetchLimits
    /// The segment fetch's deadline: the signature shares it.
    var deadline: NIODeadline

    /// Fetches the signature; a 404 is `missingSignature`, any other failure is reported as a fetch failure.
    func fetchSignature() async throws(SegmentFailure) -> ProfileSignature {
        let signatureURL = SegmentTrust.signatureURL(for: url)
        var signatureLimits = limits
        signatureLimits.maxBytes = min(limits.maxBytes, Self.maxSignatureBytes)
        let response: FetchResponse
        let token = try trust.bearerToken()
        let ca = try trust.caBundle()
        do {
            response = try await fetcher.fetch(
                signatureURL, etag: nil, lastModified: nil, limits: signatureLimits, ca: ca,
                token: token, deadline: deadline
            ).response
        } catch {
            if error.status == 404 { throw .trust(.missingSignature) }
            throw .fetch("signature \(signatureURL): \(error.reason)")
        }
        guard case .content(let bytes, _, _) = response else {
            throw .fetch("signature \(signatureURL): 304 Not Modified to an unconditional GET")
        }
        do {
            return try ProfileSignature.decode(Data(bytes))
        } catch {
            throw .trust(error)
        }
    }

    /// Verifies `signature` over `content`.
    func verify(_ signature: ProfileSignature, content: [UInt8], now: Date) throws(SegmentFailure) {
        let keys: [VerifyingKey]
        do {
            keys = try trust.verifyingKeys()
        } catch {
            throw .trust(error)
        }
        do {
            try signature.verify(
                content: content, profiles: trust.expectedProfiles(url: url), keys: keys,
                minimumSerial: accepted?.serialFloor(for: signature.profile),
                maxAge: (trust.maxAge ?? SegmentTrust.defaultMaxAge).seconds, now: now)
        } catch {
            throw .trust(error)
        }
    }
}

/// Why one remote segment's fetch was refused; the cached copy stays.
enum SegmentFailure: Error, CustomStringConvertible, Equatable {
    case fetch(String)
    case trust(TrustError)
    case content(String)
    /// The shrink guard held an unsigned copy back.
    case shrink(name: String, previous: Int, new: Int)
    /// The token or CA file was refused (``TrustedFileError/refused``), is missing or could not be read.
    case file(TrustedFileError)
    /// The token file holds no token.
    case emptyToken(path: String)

    /// A credential the segment names (token or CA file) was refused for safety, or is missing, unreadable or
    /// empty: `sync` and `add` exit 78 (EX_CONFIG) for all of them. Why one code: the fetch cannot be made as
    /// configured whichever it is, nothing was sent, and what mends it is the same (the file, or the segment's
    /// `--token-file`/`--ca-file`), while 1 says that a server failed and a later sync may simply work.
    var refused: Bool {
        switch self {
        case .file, .emptyToken: true
        default: false
        }
    }

    var description: String { describe(segment: nil) }

    /// The one line for this failure; `segment` names the segment in the fix of a credential that is missing
    /// (from config.json, at a sync), nil where the option was just given (`add`, `trust`).
    func describe(segment: String?) -> String {
        switch self {
        case .file(let error) where !error.refused:
            return error.description + " — " + Self.missingFix(label: error.label, path: error.path, segment: segment)
        case .emptyToken(let path):
            return "token file \(path) holds no token — "
                + Self.missingFix(label: "token file", path: path, segment: segment)
        default:
            return message
        }
    }

    /// What makes a missing or empty credential file good again: put it there, or point the segment elsewhere.
    static func missingFix(label: String, path: String, segment: String?) -> String {
        let (what, mode, option) =
            label == "CA file" ? ("the CA bundle", "644", "--ca-file") : ("the server's token", "600", "--token-file")
        let put = "put \(what) there, root's and 0\(mode) (install -m \(mode) FILE \(path))"
        guard let segment else { return put }
        return put + ", or name another: hosts-client trust \(segment) \(option) FILE"
    }

    private var message: String {
        switch self {
        case .fetch(let reason): reason
        case .trust(let error): "signature check failed: \(error.description)"
        case .content(let reason): "invalid content: \(reason)"
        case .shrink(let name, let previous, let new):
            "held back by the shrink guard: the new copy has \(new) entries, the cached one \(previous) (keeping the "
                + "cached copy; if the change is meant: hosts-client sync --accept-shrink \(name))"
        case .file(let error): error.description
        case .emptyToken(let path): "token file \(path) holds no token"
        }
    }
}
