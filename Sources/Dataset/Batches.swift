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

/// Copies the pixels and labels of a batch into preallocated buffers, so a training step never
/// allocates. Reuse one gatherer for the whole run.
public struct BatchGatherer {
    public let capacity: Int
    public let featureCount: Int
    /// Row-major `capacity × featureCount` pixels; only the first `rows` rows are valid.
    public private(set) var inputs: [Float]
    public private(set) var labels: [Int32]
    public private(set) var rows = 0

    public init(capacity: Int, featureCount: Int) {
        self.capacity = capacity
        self.featureCount = featureCount
        inputs = [Float](repeating: 0, count: capacity * featureCount)
        labels = [Int32](repeating: 0, count: capacity)
    }

    /// Fills the buffers with the examples `order[range]` of `data`.
    public mutating func gather(_ data: DigitDataset, order: [Int], range: Range<Int>) {
        precondition(range.count <= capacity && data.featureCount == featureCount)
        let width = featureCount
        rows = range.count
        inputs.withUnsafeMutableBufferPointer { out in
            data.pixels.withUnsafeBufferPointer { src in
                for (row, index) in order[range].enumerated() {
                    (out.baseAddress! + row * width).update(from: src.baseAddress! + index * width, count: width)
                }
            }
        }
        labels.withUnsafeMutableBufferPointer { out in
            for (row, index) in order[range].enumerated() { out[row] = Int32(data.labels[index]) }
        }
    }
}
