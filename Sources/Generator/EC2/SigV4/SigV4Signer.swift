import Crypto
import Foundation
import HostsCore

/// A request as SigV4 sees it. `path` is the path as sent on the wire (already percent-encoded);
/// `query` holds decoded name/value pairs.
struct SignableRequest: Sendable {
    var method: String
    var path: String
    var query: [(String, String)] = []
    /// Header names in any case; values are trimmed and inner whitespace runs collapsed when signed.
    var headers: [(String, String)]
    var body: [UInt8] = []
}

/// AWS Signature Version 4 (header form), as the EC2 Query API expects it.
///
/// All headers given in the request are signed; `x-amz-date` and, for session credentials,
/// `x-amz-security-token` are added. The caller must send exactly the headers returned by `sign`.
struct SigV4Signer: Sendable {
    var credentials: AWSCredentials
    var region: String
    var service: String

    /// What signing produced: headers to add to the request, and the intermediate strings (useful in tests).
    struct Signed: Sendable {
        var headers: [(String, String)]
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var authorization: String
    }

    func sign(_ request: SignableRequest, at date: Date) -> Signed {
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        var headers = request.headers
        headers.append(("X-Amz-Date", amzDate))
        if let token = credentials.sessionToken {
            headers.append(("X-Amz-Security-Token", token))
        }
        let canonical = Self.canonicalHeaders(headers)
        let signedHeaders = canonical.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            request.method.uppercased(),
            Self.canonicalURI(request.path),
            Self.canonicalQuery(request.query),
            canonical.map { "\($0.0):\($0.1)\n" }.joined(),
            signedHeaders,
            SHA256Hex.of(request.body),
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, SHA256Hex.of(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
        let signature = SHA256Hex.hex(Self.hmac(signingKey(day: day), Array(stringToSign.utf8)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        var added = [("Authorization", authorization), ("X-Amz-Date", amzDate)]
        if let token = credentials.sessionToken {
            added.append(("X-Amz-Security-Token", token))
        }
        return Signed(
            headers: added, canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            signature: signature, authorization: authorization)
    }

    private func signingKey(day: String) -> [UInt8] {
        var key = Self.hmac(Array("AWS4\(credentials.secretAccessKey)".utf8), Array(day.utf8))
        key = Self.hmac(key, Array(region.utf8))
        key = Self.hmac(key, Array(service.utf8))
        return Self.hmac(key, Array("aws4_request".utf8))
    }

    /// `20150830T123600Z`, always UTC.
    static func amzDate(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let year = Int(parts.tm_year) + 1900
        let fields: [Int] = [Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min)]
        let padded = (fields + [Int(parts.tm_sec)]).map { $0 < 10 ? "0\($0)" : "\($0)" }
        return "\(year)\(padded[0])\(padded[1])T\(padded[2])\(padded[3])\(padded[4])Z"
    }

    /// Non-S3 services encode each path segment once more on top of the wire form.
    static func canonicalURI(_ path: String) -> String {
        path.isEmpty ? "/" : AWSPercentEncoding.encode(path, keepSlash: true)
    }

    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { pair in
            (AWSPercentEncoding.encode(pair.0), AWSPercentEncoding.encode(pair.1))
        }
        let sorted = encoded.sorted { lhs, rhs in
            lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name
        }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// Lower-cased names, sorted; values trimmed with whitespace runs collapsed; repeated names joined by ",".
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(String, String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let collapsed = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            merged[name.lowercased(), default: []].append(collapsed)
        }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    private static func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
