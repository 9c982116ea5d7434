#if canImport(CryptoKit)
    import CryptoKit
#else
    import CCrypto
#endif

/// SHA-256 of bytes as lowercase hex.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    let hex = Array("0123456789abcdef".utf8)
    return String(decoding: sha256(bytes).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] }, as: UTF8.self)
}

/// SHA-256 of bytes: the platform's own implementation (CryptoKit on Apple platforms, the
/// system's libcrypto elsewhere), which a cold build does not have to compile.
public func sha256(_ bytes: [UInt8]) -> [UInt8] {
    #if canImport(CryptoKit)
        let digest = Array(SHA256.hash(data: bytes))
    #else
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let status = bytes.withUnsafeBufferPointer {
            EVP_Digest($0.baseAddress, $0.count, &digest, &length, EVP_sha256(), nil)
        }
        // Fails only without memory or with a libcrypto that has no SHA-256: nothing a caller can mend.
        precondition(status == 1 && length == 32, "libcrypto's SHA-256 failed")
    #endif
    return digest
}

/// SHA-256 of a file's bytes as lowercase hex.
public func sha256Hex(ofFile path: String) throws -> String {
    sha256Hex(try readFileBytes(path))
}
