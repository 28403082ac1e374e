import Foundation
import HostsCore

/// Fetches `URL.sig` for a segment with pinned keys and runs every HostsCore check on it: profile name, digest of
/// the exact bytes, signature by a pinned key, serial not below the last accepted one, age within `max-age`.
struct SignatureCheck {
    /// A signature document is a few hundred bytes; anything much larger is not one.
    static let maxSignatureBytes = 64 * 1024

    var url: String
    var trust: SegmentTrust
    /// The serial of the copy accepted last (nil before the first).
    var minimumSerial: UInt64?
    var fetcher: RemoteFetcher
    var limits: FetchLimits

    /// Fetches the signature; a 404 is `missingSignature`, any other failure is reported as a fetch failure.
    func fetchSignature() async throws(SegmentFailure) -> ProfileSignature {
        let signatureURL = SegmentTrust.signatureURL(for: url)
        var signatureLimits = limits
        signatureLimits.maxBytes = min(limits.maxBytes, Self.maxSignatureBytes)
        let response: FetchResponse
        let token = try trust.bearerToken()
        do {
            response = try await fetcher.fetch(
                signatureURL, etag: nil, lastModified: nil, limits: signatureLimits, caFile: trust.caFile,
                token: token)
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
                content: content, profile: trust.expectedProfile(url: url), keys: keys, minimumSerial: minimumSerial,
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

    var description: String {
        switch self {
        case .fetch(let reason): reason
        case .trust(let error): "signature check failed: \(error.description)"
        case .content(let reason): "invalid content: \(reason)"
        }
    }
}
