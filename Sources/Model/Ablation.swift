import Dataset
import Foundation

/// A fair comparison of activations: the same network trained once per (activation, seed) with
/// everything else equal. For a given seed every cell gets the same split, the same batch order
/// and the same initial normals (each scaled by its activation's own rule); only the activation
/// (and, unless one `learningRate` is shared, its tuned learning rate) differs.
public struct AblationPlan: Sendable, Codable, Equatable {
    public var activations: [Activation]
    public var seeds: [UInt64]
    /// What every cell shares; each cell replaces the activation and the seed. With no
    /// learning rate each activation trains at its own measured default.
    public var base: TrainingConfig
    /// The data set's name (`mnist`, `fashion-mnist`).
    public var dataset: String
    /// Train on only the first this-many training images (quick trials), or all.
    public var trainingLimit: Int?
    /// The data's pixels per image and number of classes: the network's input and output widths.
    public var inputs: Int
    public var classes: Int

    public init(activations: [Activation], seeds: [UInt64], base: TrainingConfig, dataset: String, trainingLimit: Int? = nil,
                inputs: Int, classes: Int) {
        var base = base
        base.diagnostics = true
        (self.activations, self.seeds, self.base, self.dataset, self.trainingLimit) = (activations, seeds, base, dataset, trainingLimit)
        (self.inputs, self.classes) = (inputs, classes)
    }

    private enum CodingKeys: String, CodingKey { case activations, seeds, base, dataset, trainingLimit, inputs, classes }

    /// Plans written before the widths were recorded were all of 28×28 images in 10 classes.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        activations = try c.decode([Activation].self, forKey: .activations)
        seeds = try c.decode([UInt64].self, forKey: .seeds)
        base = try c.decode(TrainingConfig.self, forKey: .base)
        dataset = try c.decode(String.self, forKey: .dataset)
        trainingLimit = try c.decodeIfPresent(Int.self, forKey: .trainingLimit)
        inputs = try c.decodeIfPresent(Int.self, forKey: .inputs) ?? 784
        classes = try c.decodeIfPresent(Int.self, forKey: .classes) ?? 10
    }

    /// The network every cell trains (with the base configuration's activations).
    public var architecture: Architecture { base.architecture(inputs: inputs, classes: classes) }

    /// Every cell, seed by seed, in a fixed order.
    public var cells: [AblationCell] {
        seeds.flatMap { seed in activations.map { AblationCell(activation: $0, seed: seed) } }
    }

    /// Shard `index` (1-based) of `count`: every count-th cell, so shards get a mix of fast and slow activations.
    public func cells(shard index: Int, of count: Int) -> [AblationCell] {
        cells.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }

    public func config(for cell: AblationCell) -> TrainingConfig {
        var config = base
        config.activations = [cell.activation]
        config.seed = cell.seed
        return config
    }

    /// Whether the activations share one learning rate (else each has its own default).
    public var sharedLearningRate: Double? { base.learningRate }
}

/// One (activation, seed) pair of an ablation.
public struct AblationCell: Sendable, Codable, Hashable {
    public var activation: Activation
    public var seed: UInt64

    public init(activation: Activation, seed: UInt64) {
        (self.activation, self.seed) = (activation, seed)
    }

    /// A name safe for file names: `leaky-relu_0.1-seed2`.
    public var id: String { activation.spec.replacingOccurrences(of: ":", with: "_") + "-seed\(seed)" }
}

/// Everything one cell measured.
public struct CellResult: Sendable, Codable, Equatable {
    public var cell: AblationCell
    public var config: TrainingConfig
    /// The learning rate the cell trained at (the schedule's base).
    public var learningRate: Double
    /// Per epoch: losses, accuracies, time and the per-layer diagnostics on the validation set.
    public var history: [EpochRecord]
    /// nil when training diverged; `failure` says how.
    public var testAccuracy: Double?
    public var testLoss: Double?
    public var failure: String?
    /// SHA-256 of the split and of every epoch's example order: equal for every cell of a seed.
    public var dataOrderDigest: String
    /// Wall time of the cell, training and evaluation.
    public var seconds: Double

    public init(cell: AblationCell, config: TrainingConfig, learningRate: Double, history: [EpochRecord], testAccuracy: Double? = nil,
                testLoss: Double? = nil, failure: String? = nil, dataOrderDigest: String, seconds: Double) {
        (self.cell, self.config, self.learningRate, self.history) = (cell, config, learningRate, history)
        (self.testAccuracy, self.testLoss, self.failure, self.dataOrderDigest, self.seconds) = (testAccuracy, testLoss, failure, dataOrderDigest, seconds)
    }

    /// The epoch with the highest validation accuracy (1-based), if validation was measured.
    public var bestEpoch: Int? {
        history.filter { $0.validationAccuracy != nil }.max { $0.validationAccuracy! < $1.validationAccuracy! }?.epoch
    }
}

public enum Ablation {
    /// The training images the plan uses.
    public static func trainingSet(_ plan: AblationPlan, data: TrainAndTest) -> DigitDataset {
        guard let limit = plan.trainingLimit, limit < data.train.count else { return data.train }
        return data.train.subset(0..<limit)
    }

    /// Trains and tests one cell. A diverging cell is a result, not an error: it is recorded
    /// with its failure so that the rest of the ablation goes on.
    public static func run(_ cell: AblationCell, plan: AblationPlan, data: TrainAndTest, observer: TrainingObserver? = nil) -> CellResult {
        let start = Date()
        let config = plan.config(for: cell)
        let training = Training(config: config, trainSet: trainingSet(plan, data: data))
        var state = training.initialState()
        var result = CellResult(cell: cell, config: config, learningRate: config.effectiveLearningRate, history: [],
                                dataOrderDigest: dataOrderDigest(training), seconds: 0)
        do {
            try training.run(&state, observer: observer)
            let test = Evaluation(model: state.model, data: data.test)
            (result.testAccuracy, result.testLoss) = (test.accuracy, test.loss)
        } catch {
            result.failure = "\(error)"
        }
        result.history = state.history
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// A fingerprint of which examples a run trains and validates on, in which order.
    public static func dataOrderDigest(_ training: Training) -> String {
        var bytes: [UInt8] = []
        func append(_ indices: [Int]) {
            for i in indices { withUnsafeBytes(of: UInt32(i).littleEndian) { bytes += $0 } }
        }
        append(training.split.validation)
        for epoch in 0..<training.config.epochs { append(training.batches.order(epoch: epoch)) }
        return sha256Hex(bytes)
    }
}
