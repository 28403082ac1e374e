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
    /// The token or CA file could not be read or was refused (``TrustedFileError/refused``).
    case file(TrustedFileError)

    /// Refused for safety, not merely failed: `sync` exits 78.
    var refused: Bool {
        if case .file(let error) = self { return error.refused }
        return false
    }

    var description: String {
        switch self {
        case .fetch(let reason): reason
        case .trust(let error): "signature check failed: \(error.description)"
        case .content(let reason): "invalid content: \(reason)"
        case .shrink(let name, let previous, let new):
            "held back by the shrink guard: the new copy has \(new) entries, the cached one \(previous) (keeping the "
                + "cached copy; if the change is meant: hosts-client sync --accept-shrink \(name))"
        case .file(let error): error.description
        }
    }
}
