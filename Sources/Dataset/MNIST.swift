import Foundation

/// The data sets the trainer knows: the same IDX layout, different pictures.
public enum DatasetKind: String, CaseIterable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"

    /// Human names of the ten classes.
    public var classNames: [String] {
        switch self {
        case .mnist: return (0...9).map(String.init)
        case .fashionMNIST:
            return [
                "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
            ]
        }
    }
}

/// The four files of an MNIST-style data set, found in one folder under any common name.
public struct MNISTFiles: Sendable, Equatable {
    public var trainImages: String
    public var trainLabels: String
    public var testImages: String
    public var testLabels: String

    public var all: [String] { [trainImages, trainLabels, testImages, testLabels] }

    /// Finds `train-images-idx3-ubyte`, `train-images.idx3-ubyte`, each with or without `.gz`
    /// (likewise for labels and `t10k`).
    public static func locate(in folder: String) throws -> MNISTFiles {
        var missing: [String] = []
        func find(_ split: String, _ kind: String, _ idx: String) -> String {
            for separator in ["-", "."] {
                for suffix in [".gz", ""] {
                    let path = (folder as NSString).appendingPathComponent(
                        "\(split)-\(kind)\(separator)\(idx)-ubyte\(suffix)")
                    if FileManager.default.fileExists(atPath: path) { return path }
                }
            }
            missing.append("\(split)-\(kind)-\(idx)-ubyte[.gz]")
            return ""
        }
        let files = MNISTFiles(
            trainImages: find("train", "images", "idx3"), trainLabels: find("train", "labels", "idx1"),
            testImages: find("t10k", "images", "idx3"), testLabels: find("t10k", "labels", "idx1"))
        if !missing.isEmpty { throw DatasetError.filesNotFound(folder: folder, missing: missing) }
        return files
    }
}

extension IDXFile {
    /// Reads, decompresses if gzip, and parses an IDX file; also returns the SHA-256 of its bytes.
    public init(contentsOf path: String) throws {
        try self.init(parsing: Gzip.decompressIfNeeded(readFileBytes(path), path: path), path: path)
    }

    static func read(_ path: String) throws -> (file: IDXFile, sha256: String) {
        let raw = try readFileBytes(path)
        return (try IDXFile(parsing: Gzip.decompressIfNeeded(raw, path: path), path: path), sha256Hex(raw))
    }
}
