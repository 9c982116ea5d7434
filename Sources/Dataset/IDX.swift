/// The IDX format of the MNIST files: a 4-byte magic `0x00 0x00 TT DD` (data type, number of
/// dimensions), DD big-endian 32-bit sizes, then the payload in row-major order.
public struct IDXFile: Equatable, Sendable {
    /// IDX data type codes; only unsigned bytes are decoded.
    public enum DataType: UInt8, Sendable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        var byteWidth: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
    }

    public var dims: [Int]
    public var payload: [UInt8]

    public init(dims: [Int], payload: [UInt8]) {
        self.dims = dims
        self.payload = payload
    }

    /// Parses unsigned-byte IDX data, checking the header against what the bytes really hold.
    /// - Parameter path: names the file in errors.
    public init(parsing bytes: [UInt8], path: String) throws {
        guard !bytes.isEmpty else { throw DatasetError.emptyFile(path: path) }
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[3] >= 1,
            let type = DataType(rawValue: bytes[2])
        else {
            throw DatasetError.notIDX(path: path)
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DatasetError.truncatedPayload(path: path, expected: headerSize, found: bytes.count)
        }
        var dims: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            dims.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        guard !dims.contains(0) else { throw DatasetError.zeroDimension(path: path, dims: dims) }
        guard type == .uint8 else { throw DatasetError.unsupportedDataType(path: path, code: type.rawValue) }
        // Products of up to 255 dims below 2^32 each can overflow Int: saturate instead.
        var expected = type.byteWidth
        for d in dims {
            let (product, overflow) = expected.multipliedReportingOverflow(by: d)
            expected = overflow ? Int.max : product
        }
        let found = bytes.count - headerSize
        if found < expected { throw DatasetError.truncatedPayload(path: path, expected: expected, found: found) }
        if found > expected { throw DatasetError.trailingBytes(path: path, expected: expected, found: found) }
        self.dims = dims
        self.payload = Array(bytes[headerSize...])
    }

    /// The file's bytes: header then payload (unsigned bytes).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0, 0, DataType.uint8.rawValue, UInt8(dims.count)]
        for d in dims {
            out += [
                UInt8(truncatingIfNeeded: d >> 24), UInt8(truncatingIfNeeded: d >> 16),
                UInt8(truncatingIfNeeded: d >> 8), UInt8(truncatingIfNeeded: d)
            ]
        }
        return out + payload
    }
}
