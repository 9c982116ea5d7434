import Foundation

/// A set of 8-bit gray images with digit labels in one contiguous buffer. The network sees each
/// pixel as a value in [0, 1]; the images stay bytes, as the files store them, until a batch is
/// copied out: a quarter of the memory, and a quarter of the bytes each batch reads.
public struct DigitDataset: Sendable {
    /// Gray levels of all images (0...255), image after image, row-major.
    public let levels: [UInt8]
    /// One label per image, each in 0...9.
    public let labels: [UInt8]
    public let rows: Int
    public let cols: Int

    public var count: Int { labels.count }
    /// Pixels per image: the network's input width.
    public var featureCount: Int { rows * cols }

    public init(levels: [UInt8], labels: [UInt8], rows: Int, cols: Int) {
        precondition(levels.count == labels.count * rows * cols, "pixel buffer does not match labels and shape")
        self.levels = levels
        self.labels = labels
        self.rows = rows
        self.cols = cols
    }

    /// From pixel values in [0, 1], each rounded to the nearest of the 256 levels.
    public init(pixels: [Float], labels: [UInt8], rows: Int, cols: Int) {
        self.init(
            levels: pixels.map { UInt8(($0 * 255).rounded().clamped(0, 255)) }, labels: labels, rows: rows, cols: cols)
    }

    /// The value the network sees for a gray level.
    @inlinable @inline(__always)
    public static func value(_ level: UInt8) -> Float { Float(level) * (1 / 255) }

    /// Builds a dataset from validated IDX image and label files.
    public init(images: IDXFile, imagesPath: String, labels: IDXFile, labelsPath: String) throws {
        guard images.dims.count == 3 else {
            throw DatasetError.wrongKind(
                path: imagesPath, expected: "images (3 dimensions)",
                found: images.dims.count == 1 ? "labels (1 dimension)" : "\(images.dims.count) dimensions")
        }
        guard labels.dims.count == 1 else {
            throw DatasetError.wrongKind(
                path: labelsPath, expected: "labels (1 dimension)",
                found: labels.dims.count == 3 ? "images (3 dimensions)" : "\(labels.dims.count) dimensions")
        }
        guard images.dims[0] == labels.dims[0] else {
            throw DatasetError.countMismatch(
                images: imagesPath, imageCount: images.dims[0],
                labels: labelsPath, labelCount: labels.dims[0])
        }
        if let bad = labels.payload.firstIndex(where: { $0 > 9 }) {
            throw DatasetError.labelOutOfRange(path: labelsPath, index: bad, label: Int(labels.payload[bad]))
        }
        self.init(levels: images.payload, labels: labels.payload, rows: images.dims[1], cols: images.dims[2])
    }

    /// Loads a pair of IDX files, each gzip-compressed or plain.
    public init(imagesPath: String, labelsPath: String) throws {
        try self.init(
            images: IDXFile(contentsOf: imagesPath), imagesPath: imagesPath,
            labels: IDXFile(contentsOf: labelsPath), labelsPath: labelsPath)
    }

    /// The pixel values of image `index`.
    public func image(_ index: Int) -> ArraySlice<Float> {
        levels[index * featureCount..<(index + 1) * featureCount].map(Self.value)[...]
    }

    /// Writes the pixel values of the consecutive images `range` to `destination`, row after row.
    public func copyImages(_ range: Range<Int>, to destination: UnsafeMutablePointer<Float>) {
        levels.withUnsafeBufferPointer { source in
            let start = source.baseAddress! + range.lowerBound * featureCount
            for i in 0..<range.count * featureCount { destination[i] = Self.value(start[i]) }
        }
    }

    /// A new dataset holding the images at `indices`, in that order.
    public func subset<C: Collection<Int>>(_ indices: C) -> DigitDataset {
        var newLevels: [UInt8] = []
        newLevels.reserveCapacity(indices.count * featureCount)
        for i in indices { newLevels += levels[i * featureCount..<(i + 1) * featureCount] }
        return DigitDataset(levels: newLevels, labels: indices.map { labels[$0] }, rows: rows, cols: cols)
    }
}
