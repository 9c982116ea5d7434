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
/// `select` picks the examples and copies their labels; `copyPixels(rows:)` copies their pixels, and
/// may run on several threads at once for disjoint rows (each thread of a step copies its share).
/// Reuse one gatherer for the whole run.
public final class BatchGatherer: @unchecked Sendable {
    public let capacity: Int
    public let featureCount: Int
    /// Row-major `capacity × featureCount` pixels; only the first `rows` rows are valid.
    public let inputs: UnsafeMutableBufferPointer<Float>
    public let labels: UnsafeMutableBufferPointer<Int32>
    public private(set) var rows = 0
    private var selected: [Int]
    private var source: DigitDataset?

    public init(capacity: Int, featureCount: Int) {
        self.capacity = capacity
        self.featureCount = featureCount
        inputs = .allocate(capacity: capacity * featureCount)
        inputs.initialize(repeating: 0)
        labels = .allocate(capacity: capacity)
        labels.initialize(repeating: 0)
        selected = [Int](repeating: 0, count: capacity)
    }

    deinit {
        inputs.deallocate()
        labels.deallocate()
    }

    /// Fills the buffers with the examples `order[range]` of `data`.
    public func gather(_ data: DigitDataset, order: [Int], range: Range<Int>) {
        select(data, order: order, range: range)
        copyPixels(rows: 0..<rows)
    }

    /// Makes the batch the examples `order[range]` of `data` and copies their labels; the pixels
    /// follow with `copyPixels`.
    public func select(_ data: DigitDataset, order: [Int], range: Range<Int>) {
        precondition(range.count <= capacity && data.featureCount == featureCount)
        rows = range.count
        source = data
        for (row, index) in order[range].enumerated() {
            selected[row] = index
            labels[row] = Int32(data.labels[index])
        }
    }

    /// Copies the pixels of the selected examples at batch rows `rows`.
    public func copyPixels(rows: Range<Int>) {
        guard let source, !rows.isEmpty else { return }
        let width = featureCount
        source.pixels.withUnsafeBufferPointer { src in
            for row in rows {
                (inputs.baseAddress! + row * width).update(from: src.baseAddress! + selected[row] * width, count: width)
            }
        }
    }
}
