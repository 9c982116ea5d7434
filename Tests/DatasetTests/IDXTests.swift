import Dataset
import Foundation
import Testing
import TestSupport

@Suite struct IDXTests {
    @Test func roundTripPlainAndGzip() throws {
        let (images, labels) = sampleFiles()
        #expect(try IDXFile(parsing: images.encoded(), path: "x") == images)
        let folder = temporaryFolder()
        let plain = write(images.encoded(), folder, "images.bin")
        let zipped = write(gzip(labels.encoded()), folder, "labels.whatever")
        #expect(try IDXFile(contentsOf: plain) == images)
        #expect(try IDXFile(contentsOf: zipped) == labels)
        let set = try DigitDataset(imagesPath: plain, labelsPath: zipped)
        #expect(set.count == 5 && set.rows == 4 && set.cols == 3)
        #expect(set.labels == [0, 1, 2, 3, 4])
        #expect(set.image(1).first == Float(UInt8(truncatingIfNeeded: 12 * 37)) / 255)
        #expect((0..<set.count).allSatisfy { set.image($0).allSatisfy { $0 >= 0 && $0 <= 1 } })
    }

    @Test func headerMagicAndDims() {
        let (images, _) = sampleFiles()
        var bytes = images.encoded()
        bytes[0] = 1
        #expect(throws: DatasetError.notIDX(path: "f")) { try IDXFile(parsing: bytes, path: "f") }
        #expect(throws: DatasetError.emptyFile(path: "f")) { try IDXFile(parsing: [], path: "f") }
        #expect(throws: DatasetError.notIDX(path: "f")) { try IDXFile(parsing: Array("hello, world".utf8), path: "f") }
        let zero = IDXFile(dims: [0, 28, 28], payload: []).encoded()
        #expect(throws: DatasetError.zeroDimension(path: "f", dims: [0, 28, 28])) {
            try IDXFile(parsing: zero, path: "f")
        }
        var floats = images.encoded()
        floats[2] = 0x0D
        #expect(throws: DatasetError.unsupportedDataType(path: "f", code: 0x0D)) {
            try IDXFile(parsing: floats, path: "f")
        }
    }

    @Test func payloadMustMatchHeader() {
        let (images, _) = sampleFiles()
        let bytes = images.encoded()
        #expect(throws: DatasetError.truncatedPayload(path: "f", expected: 60, found: 59)) {
            try IDXFile(parsing: Array(bytes.dropLast()), path: "f")
        }
        #expect(throws: DatasetError.trailingBytes(path: "f", expected: 60, found: 61)) {
            try IDXFile(parsing: bytes + [7], path: "f")
        }
    }

    @Test func hugeClaimIsRefusedWithoutAllocating() {
        // 2^31 images of 28x28 claimed, a few bytes present: refused from the real length at once.
        let header = IDXFile(dims: [1 << 31, 28, 28], payload: Array(repeating: 1, count: 100)).encoded()
        let start = Date()
        #expect(throws: DatasetError.truncatedPayload(path: "f", expected: (1 << 31) * 784, found: 100)) {
            try IDXFile(parsing: gzipRoundTrip(header), path: "f")
        }
        #expect(Date().timeIntervalSince(start) < 5)
        // Dims whose product overflows Int are saturated, not wrapped.
        let overflow = IDXFile(dims: [Int(UInt32.max), Int(UInt32.max), Int(UInt32.max)], payload: [1]).encoded()
        #expect(throws: DatasetError.truncatedPayload(path: "f", expected: Int.max, found: 1)) {
            try IDXFile(parsing: overflow, path: "f")
        }
    }

    private func gzipRoundTrip(_ bytes: [UInt8]) throws -> [UInt8] {
        try Gzip.decompressIfNeeded(gzip(bytes), path: "f")
    }

    @Test func gzipFaults() throws {
        let (images, _) = sampleFiles(count: 50)
        let zipped = gzip(images.encoded())
        #expect(try Gzip.decompressIfNeeded(zipped, path: "f") == images.encoded())
        #expect(throws: DatasetError.truncatedGzip(path: "f")) {
            try Gzip.decompressIfNeeded(Array(zipped.prefix(zipped.count / 2)), path: "f")
        }
        var badCRC = zipped
        badCRC[badCRC.count - 6] ^= 0xFF
        #expect(throws: DatasetError.corruptGzip(path: "f", reason: "incorrect data check")) {
            try Gzip.decompressIfNeeded(badCRC, path: "f")
        }
        var badData = zipped
        badData[12] ^= 0xFF
        badData[13] ^= 0xFF
        #expect(throws: (any Error).self) { try Gzip.decompressIfNeeded(badData, path: "f") }
        // A bomb: 10 MB of zeros compresses to ~10 kB; a 1 MB limit refuses it.
        let bomb = gzip([UInt8](repeating: 0, count: 10_000_000))
        #expect(throws: DatasetError.tooLarge(path: "f", limit: 1 << 20)) {
            try Gzip.decompressIfNeeded(bomb, path: "f", limit: 1 << 20)
        }
    }

    @Test func datasetFaults() throws {
        let folder = temporaryFolder()
        let (images, labels) = sampleFiles()
        let imagesPath = write(images.encoded(), folder, "images")
        let labelsPath = write(labels.encoded(), folder, "labels")
        #expect(throws: DatasetError.missingFile(path: folder + "/nope")) {
            try DigitDataset(imagesPath: folder + "/nope", labelsPath: labelsPath)
        }
        let empty = write([], folder, "empty")
        #expect(throws: DatasetError.emptyFile(path: empty)) {
            try DigitDataset(imagesPath: empty, labelsPath: labelsPath)
        }
        #expect(
            throws: DatasetError.wrongKind(
                path: labelsPath, expected: "images (3 dimensions)", found: "labels (1 dimension)")
        ) {
            try DigitDataset(imagesPath: labelsPath, labelsPath: imagesPath)
        }
        let fewer = write(IDXFile(dims: [4], payload: [1, 2, 3, 4]).encoded(), folder, "fewer")
        #expect(throws: DatasetError.countMismatch(images: imagesPath, imageCount: 5, labels: fewer, labelCount: 4)) {
            try DigitDataset(imagesPath: imagesPath, labelsPath: fewer)
        }
        let badLabel = write(IDXFile(dims: [5], payload: [1, 2, 10, 4, 5]).encoded(), folder, "bad")
        #expect(throws: DatasetError.labelOutOfRange(path: badLabel, index: 2, label: 10)) {
            try DigitDataset(imagesPath: imagesPath, labelsPath: badLabel)
        }
        // Every error names its file in one line.
        let message = DatasetError.labelOutOfRange(path: badLabel, index: 2, label: 10).description
        #expect(message.contains(badLabel) && !message.contains("\n"))
    }

    @Test func findsFileNameVariants() throws {
        let folder = temporaryFolder()
        let (images, labels) = sampleFiles()
        _ = write(gzip(images.encoded()), folder, "train-images-idx3-ubyte.gz")
        _ = write(labels.encoded(), folder, "train-labels.idx1-ubyte")
        _ = write(images.encoded(), folder, "t10k-images.idx3-ubyte")
        #expect(throws: DatasetError.filesNotFound(folder: folder, missing: ["t10k-labels-idx1-ubyte[.gz]"])) {
            try MNISTFiles.locate(in: folder)
        }
        _ = write(gzip(labels.encoded()), folder, "t10k-labels.idx1-ubyte.gz")
        let data = try TrainAndTest(kind: .mnist, folder: folder)
        #expect(data.train.count == 5 && data.test.count == 5)
        #expect(data.sha256.count == 4)
    }
}
