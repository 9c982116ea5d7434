/// A train/validation split of a data set's indices, drawn from the seed's `split` stream.
public struct Split: Sendable, Equatable {
    public let train: [Int]
    public let validation: [Int]

    /// Holds out `validationCount` random images (0 keeps all for training); both lists sorted.
    public init(count: Int, validationCount: Int, seed: UInt64) {
        precondition(validationCount >= 0 && validationCount < count, "validation set must be smaller than the data")
        var indices = Array(0..<count)
        var rng = SeededRandom(seed: seed, stream: "split")
        rng.shuffle(&indices)
        validation = indices[..<validationCount].sorted()
        train = indices[validationCount...].sorted()
    }
}

/// Mini-batches over a fixed list of example indices, reshuffled per epoch from the seed's
/// `shuffle` stream keyed by the epoch, so epoch `e` has the same order whether or not training
/// was resumed before it.
public struct BatchSchedule: Sendable {
    public let indices: [Int]
    public let batchSize: Int
    public let seed: UInt64

    public init(indices: [Int], batchSize: Int, seed: UInt64) {
        precondition(batchSize > 0)
        self.indices = indices
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Batches per epoch; the last one may be short.
    public var batchCount: Int { (indices.count + batchSize - 1) / batchSize }

    /// The example order of epoch `epoch` (0-based).
    public func order(epoch: Int) -> [Int] {
        var order = indices
        var rng = SeededRandom(seed: seed, stream: "shuffle", index: UInt64(epoch))
        rng.shuffle(&order)
        return order
    }
}

/// A batch's pixels and labels in buffers allocated once, so a training step never allocates.
/// `select` picks the examples and copies their labels; `copyPixels` copies their pixels into one
/// of `copies` buffers, and may run on several threads at once for different copies or rows.
/// Several threads working on one batch each fill a copy of their own: reading the data set again
/// is cheaper than fetching rows another core has just written. Reuse one gatherer for the whole run.
///
/// With an augmentation, each selected image is distorted for (seed, epoch, its index) on the way;
/// that costs more than reading the image again, so threads then share the rows of copy 0 instead.
public final class BatchGatherer: @unchecked Sendable {
    public let capacity: Int
    public let featureCount: Int
    /// Row-major `capacity × featureCount` pixels of copy 0; only the first `rows` rows are valid.
    public var inputs: UnsafeMutableBufferPointer<Float> { buffers[0] }
    public let labels: UnsafeMutableBufferPointer<Int32>
    public private(set) var rows = 0
    private let buffers: [UnsafeMutableBufferPointer<Float>]
    /// How many copies of the pixels there are.
    public var copies: Int { buffers.count }
    private var selected: [Int]
    private var source: DigitDataset?
    /// One per copy, each with its own working buffers, so copies can be filled on threads of their own.
    private let augmenters: [Augmenter]
    /// The seed and epoch the selected images are distorted for, and the strength the distortions'
    /// ranges are scaled by; nil: they are copied as they are.
    private var distortion: (seed: UInt64, epoch: Int, strength: Double)?

    /// Buffers for batches of up to `capacity` images of `featureCount` pixels; with an
    /// `augmentation`, `imageShape` gives their rows and columns.
    public init(
        capacity: Int, featureCount: Int, copies: Int = 1, augmentation: Augmentation = .none,
        imageShape: (rows: Int, cols: Int)? = nil
    ) {
        precondition(copies >= 1)
        precondition(
            augmentation.isNone || imageShape.map { $0.rows * $0.cols == featureCount } == true,
            "augmenting needs the images' shape")
        self.capacity = capacity
        self.featureCount = featureCount
        augmenters =
            augmentation.isNone
            ? [] : (0..<copies).map { _ in Augmenter(augmentation, rows: imageShape!.rows, cols: imageShape!.cols) }
        buffers = (0..<copies).map { _ in
            // Cache-line aligned, so that no two copies share a line.
            let raw = UnsafeMutableRawPointer.allocate(
                byteCount: capacity * featureCount * MemoryLayout<Float>.stride, alignment: 64)
            return UnsafeMutableBufferPointer(
                start: raw.initializeMemory(as: Float.self, repeating: 0, count: capacity * featureCount),
                count: capacity * featureCount)
        }
        labels = .allocate(capacity: capacity)
        labels.initialize(repeating: 0)
        selected = [Int](repeating: 0, count: capacity)
    }

    deinit {
        for buffer in buffers { UnsafeMutableRawPointer(buffer.baseAddress!).deallocate() }
        labels.deallocate()
    }

    /// The pixels of copy `copy` (row-major, `capacity × featureCount`).
    public func inputs(copy: Int) -> UnsafeMutablePointer<Float> { buffers[copy].baseAddress! }

    /// Whether the pixels are distorted on the way (an augmentation was given).
    public var augments: Bool { !augmenters.isEmpty }

    /// Fills the buffers with the examples `order[range]` of `data`, on the calling thread. A
    /// reference for the tests: training selects (`select`) and lets the step's threads copy.
    public func gather(_ data: DigitDataset, order: [Int], range: Range<Int>) {
        select(data, order: order, range: range)
        copyPixels(rows: 0..<rows)
    }

    /// Makes the batch the examples `order[range]` of `data` and copies their labels; the pixels
    /// follow with `copyPixels`, distorted for (`seed`, `epoch`) when augmenting, with the ranges
    /// scaled by `strength`.
    public func select(
        _ data: DigitDataset, order: [Int], range: Range<Int>, seed: UInt64 = 0, epoch: Int = 0, strength: Double = 1
    ) {
        precondition(range.count <= capacity && data.featureCount == featureCount)
        rows = range.count
        source = data
        distortion = augments ? (seed, epoch, strength) : nil
        for (row, index) in order[range].enumerated() {
            selected[row] = index
            labels[row] = Int32(data.labels[index])
        }
    }

    /// Copies the pixels of the selected examples at batch rows `rows` into copy `copy`, through
    /// augmenter `worker` (one thread's own, `copy` by default) when augmenting.
    public func copyPixels(rows: Range<Int>, copy: Int = 0, worker: Int? = nil) {
        guard let source, !rows.isEmpty else { return }
        let width = featureCount
        let destination = buffers[copy].baseAddress!
        source.levels.withUnsafeBufferPointer { src in
            if let distortion {
                let augmenter = augmenters[worker ?? copy]
                for row in rows {
                    let index = selected[row]
                    augmenter.apply(
                        src.baseAddress! + index * width,
                        key: AugmentationKey(seed: distortion.seed, epoch: distortion.epoch, index: index),
                        strength: distortion.strength, into: destination + row * width)
                }
                return
            }
            for row in rows {
                let from = src.baseAddress! + selected[row] * width, to = destination + row * width
                for i in 0..<width { to[i] = DigitDataset.value(from[i]) }
            }
        }
    }
}
