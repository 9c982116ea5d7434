import Dataset
import Foundation

/// A fair comparison of activations: the same network trained once per (activation, seed) with
/// everything else equal. For a given seed every cell gets the same split, the same batch order
/// and the same initial normals (each scaled by its activation's own rule); only the activation
/// (and, unless one `learningRate` is shared, its tuned learning rate) differs.
///
/// A grid adds architectures and learning rates as axes: every (activation, architecture,
/// learning rate, seed) is a cell, and within one architecture the guarantee above holds for
/// every learning rate.
public struct AblationPlan: Sendable, Codable, Equatable {
    public var activations: [Activation]
    public var seeds: [UInt64]
    /// The hidden widths of each architecture trained; one entry (the base's) unless a grid.
    public var architectures: [[Int]]
    /// The learning rates trained at: `.default` is each activation's own measured rate. One
    /// entry (the base's) unless a grid.
    public var learningRates: [LearningRateChoice]
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
    /// Record the training loss with dropout off (`Training.lossWithoutDropout`).
    public var lossWithoutDropout = false
    /// Snapshots of each layer's outputs through the first epoch (`ActivationTracer`), besides
    /// the initial one; 0 for none.
    public var traceSnapshots = 0

    public init(
        activations: [Activation], seeds: [UInt64], base: TrainingConfig, dataset: String, trainingLimit: Int? = nil,
        inputs: Int, classes: Int, architectures: [[Int]]? = nil, learningRates: [LearningRateChoice]? = nil
    ) {
        var base = base
        base.diagnostics = true
        (self.activations, self.seeds, self.base, self.dataset, self.trainingLimit) = (
            activations, seeds, base, dataset, trainingLimit
        )
        (self.inputs, self.classes) = (inputs, classes)
        self.architectures = architectures ?? [base.hidden]
        self.learningRates = learningRates ?? [LearningRateChoice(base.learningRate)]
    }

    private enum CodingKeys: String, CodingKey {
        case activations, seeds, base, dataset, trainingLimit, inputs, classes, architectures, learningRates
        case lossWithoutDropout, traceSnapshots
    }

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
        // Plans written before grids had one architecture and one learning rate: the base's.
        architectures = try c.decodeIfPresent([[Int]].self, forKey: .architectures) ?? [base.hidden]
        learningRates =
            try c.decodeIfPresent([LearningRateChoice].self, forKey: .learningRates) ?? [
                LearningRateChoice(base.learningRate)
            ]
        lossWithoutDropout = try c.decodeIfPresent(Bool.self, forKey: .lossWithoutDropout) ?? false
        traceSnapshots = try c.decodeIfPresent(Int.self, forKey: .traceSnapshots) ?? 0
    }

    /// The network every cell trains (with the base configuration's activations).
    public var architecture: Architecture { base.architecture(inputs: inputs, classes: classes) }

    /// Whether architecture or learning rate is an axis besides the activation.
    public var isGrid: Bool { architectures.count > 1 || learningRates.count > 1 }

    /// Every cell, seed by seed, then architecture, learning rate and activation, in a fixed order.
    /// A plan of one architecture and one learning rate names neither in its cells, so its cell
    /// files are those an ablation wrote before grids.
    public var cells: [AblationCell] {
        seeds.flatMap { seed in
            architectures.flatMap { hidden in
                learningRates.flatMap { rate in
                    activations.map { activation in
                        AblationCell(
                            activation: activation, seed: seed,
                            hidden: architectures.count > 1 ? hidden : nil,
                            learningRate: learningRates.count > 1 ? rate : nil)
                    }
                }
            }
        }
    }

    /// Shard `index` (1-based) of `count`: every count-th cell, so shards get a mix of fast and slow activations.
    public func cells(shard index: Int, of count: Int) -> [AblationCell] {
        cells.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }

    public func config(for cell: AblationCell) -> TrainingConfig {
        var config = base
        config.activations = [cell.activation]
        config.seed = cell.seed
        config.hidden = hidden(of: cell)
        config.learningRate = learningRate(of: cell).value
        return config
    }

    /// The hidden widths `cell` trains: its own in a grid, else the plan's one architecture.
    public func hidden(of cell: AblationCell) -> [Int] { cell.hidden ?? base.hidden }

    /// The learning rate `cell` trains at: its own in a grid, else the plan's one rate.
    public func learningRate(of cell: AblationCell) -> LearningRateChoice {
        cell.learningRate ?? LearningRateChoice(base.learningRate)
    }

    /// Whether the activations share one learning rate (else each has its own default).
    public var sharedLearningRate: Double? { base.learningRate }
}

/// A learning rate on an ablation's axis: a number, or each activation's own measured default.
public enum LearningRateChoice: Sendable, Hashable, Codable, CustomStringConvertible {
    case `default`
    case rate(Double)

    public init(_ rate: Double?) { self = rate.map(LearningRateChoice.rate) ?? .default }

    /// The rate to set in a configuration: nil for each activation's default.
    public var value: Double? {
        if case .rate(let r) = self { return r }
        return nil
    }

    /// `default` or the number as written: `0.1`.
    public var description: String { value.map { "\($0)" } ?? "default" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self), text == "default" {
            self = .default
        } else {
            self = .rate(try c.decode(Double.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if let value { try c.encode(value) } else { try c.encode("default") }
    }
}

/// One cell of an ablation: an activation and a seed, and in a grid the architecture and the
/// learning rate (nil: the plan's only one).
public struct AblationCell: Sendable, Codable, Hashable {
    public var activation: Activation
    public var seed: UInt64
    public var hidden: [Int]?
    public var learningRate: LearningRateChoice?

    public init(activation: Activation, seed: UInt64, hidden: [Int]? = nil, learningRate: LearningRateChoice? = nil) {
        (self.activation, self.seed, self.hidden, self.learningRate) = (activation, seed, hidden, learningRate)
    }

    /// A name safe for file names: `leaky-relu_0.1-seed2`, in a grid `tanh-h128x4-lr0.1-seed2`.
    public var id: String {
        var name = activation.spec.replacingOccurrences(of: ":", with: "_")
        if let hidden { name += "-h" + Self.widths(hidden) }
        if let learningRate { name += "-lr\(learningRate)" }
        return name + "-seed\(seed)"
    }

    /// `256-128`, or `128x4` for four equal layers.
    public static func widths(_ hidden: [Int]) -> String {
        hidden.count > 1 && Set(hidden).count == 1
            ? "\(hidden[0])x\(hidden.count)" : hidden.map(String.init).joined(separator: "-")
    }
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
    /// Each layer's outputs through the first epoch, when the plan asked for them.
    public var activationTrace: [ActivationSnapshot]?

    public init(
        cell: AblationCell, config: TrainingConfig, learningRate: Double, history: [EpochRecord],
        testAccuracy: Double? = nil,
        testLoss: Double? = nil, failure: String? = nil, dataOrderDigest: String, seconds: Double
    ) {
        (self.cell, self.config, self.learningRate, self.history) = (cell, config, learningRate, history)
        (self.testAccuracy, self.testLoss, self.failure, self.dataOrderDigest, self.seconds) = (
            testAccuracy, testLoss, failure, dataOrderDigest, seconds
        )
    }

    /// The epoch with the highest validation accuracy (1-based), if validation was measured.
    public var bestEpoch: Int? {
        history.filter { $0.validationAccuracy != nil }.max { $0.validationAccuracy! < $1.validationAccuracy! }?.epoch
    }
}

/// A finished cell: what it measured, and the model it trained.
public struct TrainedCell: Sendable {
    public var result: CellResult
    /// The cell's model as `trainer train` saves one (test figures included), so that two cells of
    /// an ablation can be inspected, served or evaluated side by side; nil when training diverged.
    public var checkpoint: Checkpoint?
}

public enum Ablation {
    /// The training images the plan uses.
    public static func trainingSet(_ plan: AblationPlan, data: TrainAndTest) -> DigitDataset {
        guard let limit = plan.trainingLimit, limit < data.train.count else { return data.train }
        return data.train.subset(0..<limit)
    }

    /// Trains and tests one cell. A diverging cell is a result, not an error: it is recorded
    /// with its failure so that the rest of the ablation goes on. `observe` is handed the cell's
    /// training before it starts, and what it returns hears the run beside the plan's first-epoch
    /// tracer; `probeImages` as `Training`'s (what a log shows of the layers).
    public static func run(
        _ cell: AblationCell, plan: AblationPlan, data: TrainAndTest, probeImages: Int = 0,
        observe: (Training) -> TrainingObserver? = { _ in nil }
    ) -> TrainedCell {
        let start = Date()
        let config = plan.config(for: cell)
        // No clock: two runs of one cell save byte-identical models.
        let run = TrainingRun(
            config: config, data: data, trainSet: trainingSet(plan, data: data), clock: nil,
            lossWithoutDropout: plan.lossWithoutDropout, probeImages: probeImages)
        var state = run.training.initialState()
        // Traced on the first held-out images, the same for every cell of a seed.
        let tracer = plan.traceSnapshots > 0 ? tracer(plan, run.training, state.model) : nil
        var result = CellResult(
            cell: cell, config: config, learningRate: config.effectiveLearningRate, history: [],
            dataOrderDigest: dataOrderDigest(run.training), seconds: 0)
        var checkpoint: Checkpoint?
        do {
            if case .tested(let tested, let test) = try run.run(
                &state, observer: ObserverGroup([tracer, observe(run.training)]))
            {
                (result.testAccuracy, result.testLoss) = (test.accuracy, test.loss)
                checkpoint = tested
            }
        } catch {
            result.failure = "\(error)"
        }
        result.history = state.history
        result.activationTrace = tracer?.snapshots
        result.seconds = Date().timeIntervalSince(start)
        return TrainedCell(result: result, checkpoint: checkpoint)
    }

    /// Images the first-epoch trace is measured on: held out, so that it shows the network, not
    /// what it memorised.
    public static let traceImages = 500

    private static func tracer(_ plan: AblationPlan, _ training: Training, _ model: MLP<Float>) -> ActivationTracer {
        let tracer = ActivationTracer(
            architecture: model.architecture, probe: training.trainSet.subset(training.heldOut(traceImages)),
            points: plan.traceSnapshots)
        tracer.start(model)
        return tracer
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
