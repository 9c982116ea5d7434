/// CRC-32C (Castagnoli), the checksum of TFRecord framing, and its "masked" form, which TensorFlow
/// stores so that a CRC of data that itself holds CRCs stays well spread. Neither zlib (CRC-32,
/// another polynomial) nor libcrypto has it; a table and a loop are all it takes.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// `checksum` rotated right by 15 bits plus a constant, as TFRecord stores it.
    static func masked<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
