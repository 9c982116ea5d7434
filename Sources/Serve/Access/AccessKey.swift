import Dataset

/// A secret that opens the server: 32 random bytes as hex, from the system's secure generator
/// (`getrandom` on Linux). Compared in constant time and never logged.
public struct AccessKey: Sendable, Equatable {
    public let text: String

    public init(text: String) { self.text = text }

    /// A new random key.
    public static func random() -> AccessKey {
        var generator = SystemRandomNumberGenerator()
        return AccessKey(text: randomHex(bytes: 32, using: &generator))
    }

    /// Whether `given` is this key, in time that depends on the lengths only: both are hashed and
    /// the digests compared byte by byte without stopping at the first difference.
    public func matches(_ given: String) -> Bool {
        let (a, b) = (sha256(Array(text.utf8)), sha256(Array(given.utf8)))
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    /// A short name for the key that does not give it away (the first 8 hex digits of its SHA-256):
    /// names this server's cookie, so that two servers on one machine keep theirs apart.
    var fingerprint: String { String(sha256Hex(Array(text.utf8)).prefix(8)) }
}

/// `bytes` random bytes as lowercase hex.
func randomHex(bytes: Int, using generator: inout some RandomNumberGenerator) -> String {
    let digits = Array("0123456789abcdef")
    var text = ""
    for _ in 0..<bytes {
        let byte = UInt8.random(in: 0...255, using: &generator)
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 15)])
    }
    return text
}
