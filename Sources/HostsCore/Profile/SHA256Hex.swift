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
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
