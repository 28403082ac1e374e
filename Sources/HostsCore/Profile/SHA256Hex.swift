import Crypto

/// Content hashes as used in index.json, ETags and signatures.
public enum SHA256Hex {
    /// Lowercase hex SHA-256 of `bytes`.
    public static func of(_ bytes: some Collection<UInt8>) -> String {
        let digest: SHA256.Digest
        if let direct = bytes.withContiguousStorageIfAvailable({ SHA256.hash(data: UnsafeRawBufferPointer($0)) }) {
            digest = direct
        } else {
            digest = SHA256.hash(data: Array(bytes))
        }
        return hex(digest)
    }

    /// Lowercase hex of any bytes (a digest, an HMAC).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
