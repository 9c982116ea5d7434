/// Everything that can be wrong with a data file, each case naming the file.
///
/// `description` is one sentence meant to be printed as is by the CLI.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String)
    case unreadable(path: String, reason: String)
    case emptyFile(path: String)
    case notIDX(path: String)
    case corruptGzip(path: String, reason: String)
    case truncatedGzip(path: String)
    case tooLarge(path: String, limit: Int)
    case unsupportedDataType(path: String, code: UInt8)
    case wrongKind(path: String, expected: String, found: String)
    case zeroDimension(path: String, dims: [Int])
    case truncatedPayload(path: String, expected: Int, found: Int)
    case trailingBytes(path: String, expected: Int, found: Int)
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    case labelOutOfRange(path: String, index: Int, label: Int)
    case filesNotFound(folder: String, missing: [String])
    case checksumMismatch(path: String, expected: String, found: String)
    case badImage(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason))"
        case .emptyFile(let path):
            return "\(path): the file is empty"
        case .notIDX(let path):
            return "\(path): neither gzip nor an IDX file (bad magic number)"
        case .corruptGzip(let path, let reason):
            return "\(path): corrupt gzip data (\(reason)); download it again"
        case .truncatedGzip(let path):
            return "\(path): the gzip stream ends early (truncated download?)"
        case .tooLarge(let path, let limit):
            return "\(path): decompresses to more than \(limit) bytes, refused"
        case .unsupportedDataType(let path, let code):
            return "\(path): IDX data type 0x\(String(code, radix: 16)) is not supported (only unsigned bytes, 0x08)"
        case .wrongKind(let path, let expected, let found):
            return "\(path): expected \(expected) but the file holds \(found)"
        case .zeroDimension(let path, let dims):
            return "\(path): IDX header has a zero dimension \(dims)"
        case .truncatedPayload(let path, let expected, let found):
            return "\(path): IDX header promises \(expected) data bytes but only \(found) are present (truncated file)"
        case .trailingBytes(let path, let expected, let found):
            return "\(path): IDX header promises \(expected) data bytes but \(found) are present (trailing bytes)"
        case .countMismatch(let images, let imageCount, let labels, let labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels"
        case .labelOutOfRange(let path, let index, let label):
            return "\(path): label \(label) at index \(index) is outside 0...9"
        case .filesNotFound(let folder, let missing):
            return "\(folder): missing \(missing.joined(separator: ", "))"
        case .checksumMismatch(let path, let expected, let found):
            return "\(path): SHA-256 is \(found), expected \(expected)"
        case .badImage(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
