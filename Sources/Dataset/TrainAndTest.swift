import Foundation

/// The training and test sets of one data set, with the SHA-256 of each file read.
public struct TrainAndTest: Sendable {
    public let kind: DatasetKind
    public let train: DigitDataset
    public let test: DigitDataset
    /// File name → SHA-256 (hex) of the bytes on disk, for provenance in checkpoints and reports.
    public let sha256: [String: String]

    /// Sets already in memory (made by a program rather than read), with no files to name.
    public init(kind: DatasetKind, train: DigitDataset, test: DigitDataset) {
        (self.kind, self.train, self.test, sha256) = (kind, train, test, [:])
    }

    /// Loads all four files from `folder` (both sets in parallel).
    public init(kind: DatasetKind, folder: String) throws {
        let files = try MNISTFiles.locate(in: folder)
        let pairs = [(files.trainImages, files.trainLabels), (files.testImages, files.testLabels)]
        var results = [Result<(DigitDataset, [String: String]), Error>?](repeating: nil, count: 2)
        results.withUnsafeMutableBufferPointer { buffer in
            // Each thread writes its own slot through the buffer: assigning into the array itself
            // from two threads races on its copy-on-write check (ThreadSanitizer found it).
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                let (imagesPath, labelsPath) = pairs[part]
                slots[part] = Result {
                    let images = try IDXFile.read(imagesPath)
                    let labels = try IDXFile.read(labelsPath)
                    let set = try DigitDataset(
                        images: images.file, imagesPath: imagesPath, labels: labels.file, labelsPath: labelsPath)
                    return (
                        set,
                        [
                            (imagesPath as NSString).lastPathComponent: images.sha256,
                            (labelsPath as NSString).lastPathComponent: labels.sha256
                        ]
                    )
                }
            }
        }
        let (train, trainSums) = try results[0]!.get()
        let (test, testSums) = try results[1]!.get()
        self.kind = kind
        self.train = train
        self.test = test
        self.sha256 = trainSums.merging(testSums) { a, _ in a }
    }
}
