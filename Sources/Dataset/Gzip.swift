import CZlib

/// gzip decompression with a hard output limit, so a hostile or broken file can never make us
/// allocate more than `limit` bytes. Plain (uncompressed) data passes through untouched.
public enum Gzip {
    /// The largest output we accept by default: ten times the MNIST training images.
    public static let defaultLimit = 512 << 20

    /// Whether `bytes` start with the gzip magic `1f 8b`.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates a gzip (or zlib) stream; returns `bytes` unchanged when it is not gzip.
    /// - Throws: `DatasetError.truncatedGzip`, `.corruptGzip` (bad CRC, bad data) or `.tooLarge`.
    public static func decompressIfNeeded(_ bytes: [UInt8], path: String, limit: Int = defaultLimit) throws -> [UInt8] {
        guard isGzip(bytes) else { return bytes }
        return try inflate(bytes, path: path, limit: limit)
    }

    static func inflate(_ input: [UInt8], path: String, limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError.corruptGzip(path: path, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }

        // The trailer's ISIZE (size mod 2^32) is only a hint: it is capped by the limit and by
        // deflate's best possible ratio (about 1032:1) before it sizes the first allocation.
        var hint = input.count * 4
        if input.count >= 18 {
            let n = input.count
            let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
            hint = max(isize, 1024)
        }
        var output = [UInt8](repeating: 0, count: min(hint, limit, input.count * 1032 + 1024))
        var produced = 0
        var status: Int32 = Z_OK

        try input.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = UInt32(inBuf.count)
            while true {
                if produced == output.count {
                    guard output.count < limit else { throw DatasetError.tooLarge(path: path, limit: limit) }
                    output.append(contentsOf: repeatElement(0, count: min(output.count, limit - output.count)))
                }
                status = output.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress! + produced
                    let room = min(outBuf.count - produced, Int(UInt32.max))
                    stream.avail_out = UInt32(room)
                    let result = CZlib.inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return result
                }
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    return
                case Z_BUF_ERROR:
                    // No progress possible: out of input before the end of the stream.
                    if stream.avail_in == 0 { throw DatasetError.truncatedGzip(path: path) }
                    continue
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw DatasetError.corruptGzip(path: path, reason: reason)
                }
            }
        }
        output.removeSubrange(produced..<output.count)
        return output
    }
}
