import Dataset
import Foundation

/// Everything that decides a training run's numbers. Two runs with equal configurations and data
/// produce bit-identical weights.
public struct TrainingConfig: Sendable, Equatable, Codable {
    public var hidden: [Int] = [256, 128]
    /// One activation for every hidden layer, or one per hidden layer.
    public var activations: [Activation] = [.relu]
    public var epochs = 5
    public var batchSize = 64
    /// nil: the smallest default learning rate among the activations.
    public var learningRate: Double?
    public var momentum = 0.9
    public var nesterov = false
    public var weightDecay = 0.0
    public var schedule: Schedule = .cosine
    public var seed: UInt64 = 1
    /// Training images held out for validation (0 for none).
    public var validationCount = 5000
    /// Stop after this many epochs without a lower validation loss (nil: never).
    public var patience: Int?
    /// Record per-layer diagnostics (dead/saturated units, gradient norms) each epoch.
    public var diagnostics = false
    /// Random distortions of the training images, drawn afresh each epoch (validation and test
    /// images are never distorted).
    public var augmentation = Augmentation.none
    /// The probability that a hidden unit's output is dropped in a training step (0: none).
    public var dropout = 0.0
    /// The number format of the step's matrix products (bf16: mixed precision; fp32 master weights).
    public var precision = Precision.fp32
    /// Views per test image when the finished model is tested (and, by default, when it reads):
    /// 1, or 5 or 9 with `TestTimeAugmentation`'s one-pixel moves. Training never sees it.
    public var testViews = 1

    /// The test-time augmentation `testViews` asks for (check `problem` first).
    public var testTimeAugmentation: TestTimeAugmentation { TestTimeAugmentation(views: testViews) ?? .single }

    public init() {}

    /// Reads configurations saved before a setting existed with that setting's default. Every
    /// setting must be read here: the round-trip test, with each one away from its default, says
    /// which one is not.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingConfig()
        hidden = try c.decode(.hidden, or: d.hidden)
        activations = try c.decode(.activations, or: d.activations)
        epochs = try c.decode(.epochs, or: d.epochs)
        batchSize = try c.decode(.batchSize, or: d.batchSize)
        learningRate = try c.decode(.learningRate, or: d.learningRate)
        momentum = try c.decode(.momentum, or: d.momentum)
        nesterov = try c.decode(.nesterov, or: d.nesterov)
        weightDecay = try c.decode(.weightDecay, or: d.weightDecay)
        schedule = try c.decode(.schedule, or: d.schedule)
        seed = try c.decode(.seed, or: d.seed)
        validationCount = try c.decode(.validationCount, or: d.validationCount)
        patience = try c.decode(.patience, or: d.patience)
        diagnostics = try c.decode(.diagnostics, or: d.diagnostics)
        augmentation = try c.decode(.augmentation, or: d.augmentation)
        dropout = try c.decode(.dropout, or: d.dropout)
        precision = try c.decode(.precision, or: d.precision)
        testViews = try c.decode(.testViews, or: d.testViews)
    }

    /// The activation of each hidden layer.
    public var layerActivations: [Activation] {
        activations.count == 1 ? Array(repeating: activations[0], count: hidden.count) : activations
    }

    public var effectiveLearningRate: Double {
        learningRate ?? activations.map(\.defaultLearningRate).min() ?? 0.01
    }

    public func architecture(inputs: Int, classes: Int = 10) -> Architecture {
        Architecture(inputs: inputs, hidden: hidden, activations: layerActivations, outputs: classes)
    }

    /// The largest hidden layer and batch a run accepts: beyond them memory, not learning, is the question.
    public static let widthLimit = 100_000
    public static let batchLimit = 65_536
    /// Dropping more than this leaves too little of each layer to learn from.
    public static let dropoutLimit = 0.9

    /// The first reason this configuration cannot run on `trainingExamples` images, or nil.
    public func problem(trainingExamples: Int) -> ConfigurationProblem? {
        if hidden.isEmpty { return .noHiddenLayer }
        if let width = hidden.first(where: { !(1...Self.widthLimit).contains($0) }) {
            return .hiddenWidth(width, limit: Self.widthLimit)
        }
        if activations.isEmpty || (activations.count != 1 && activations.count != hidden.count) {
            return .activationCount(activations.count, hiddenLayers: hidden.count)
        }
        if epochs < 1 { return .epochs(epochs) }
        if !(1...Self.batchLimit).contains(batchSize) { return .batchSize(batchSize, limit: Self.batchLimit) }
        if let lr = learningRate, !(lr > 0 && lr.isFinite) { return .learningRate(lr) }
        if !(momentum >= 0 && momentum < 1) { return .momentum(momentum) }
        if !(weightDecay >= 0 && weightDecay.isFinite) { return .weightDecay(weightDecay) }
        if !(dropout >= 0 && dropout <= Self.dropoutLimit) { return .dropout(dropout, limit: Self.dropoutLimit) }
        if validationCount < 0 || validationCount >= trainingExamples {
            return .validation(validationCount, trainingExamples: trainingExamples)
        }
        if let p = patience, p < 1 { return .patience(p) }
        if TestTimeAugmentation(views: testViews) == nil { return .testViews(testViews) }
        if !precision.isAvailable {
            return .precision(precision, instructionSet: Precision.cpuInstructionSet)
        }
        return nil
    }
}

/// Why a `TrainingConfig` cannot run, with the offending value and the limit it broke. The
/// description names the setting; a program that takes the setting by another name (a CLI flag,
/// a form field) words it its own way.
public enum ConfigurationProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case noHiddenLayer
    case hiddenWidth(Int, limit: Int)
    /// Neither one activation nor one per hidden layer.
    case activationCount(Int, hiddenLayers: Int)
    case epochs(Int)
    case batchSize(Int, limit: Int)
    case learningRate(Double)
    case momentum(Double)
    case weightDecay(Double)
    case dropout(Double, limit: Double)
    /// Validation must leave at least one training image.
    case validation(Int, trainingExamples: Int)
    case patience(Int)
    /// Not one of `TestTimeAugmentation.viewCounts`.
    case testViews(Int)
    /// This CPU has no native form of the precision (its best instruction set named).
    case precision(Precision, instructionSet: String)

    public var description: String {
        switch self {
        case .noHiddenLayer: return "the network needs at least one hidden layer"
        case .hiddenWidth(let width, let limit):
            return "each hidden layer width must be between 1 and \(limit) (got \(width))"
        case .activationCount(let count, let layers):
            return "give one activation, or one per hidden layer (\(layers)); got \(count)"
        case .epochs(let epochs): return "epochs must be at least 1 (got \(epochs))"
        case .batchSize(let size, let limit): return "the batch size must be between 1 and \(limit) (got \(size))"
        case .learningRate(let lr): return "the learning rate must be a positive number (got \(lr))"
        case .momentum(let momentum): return "momentum must be in [0, 1) (got \(momentum))"
        case .weightDecay(let decay): return "weight decay must be zero or positive (got \(decay))"
        case .dropout(let rate, let limit): return "the dropout rate must be between 0 and \(limit) (got \(rate))"
        case .validation(let count, let examples):
            return
                "validation must hold between 0 and \(examples - 1) images (the training set has \(examples); got \(count))"
        case .patience(let patience): return "patience must be at least 1 (got \(patience))"
        case .testViews(let views):
            return
                "test views must be \(TestTimeAugmentation.viewCounts.map(String.init).joined(separator: ", ")) (got \(views))"
        case .precision(let precision, let isa):
            return "this CPU has no native \(precision) arithmetic (its best instruction set is \(isa)); train in fp32"
        }
    }
}

/// What one epoch did.
public struct EpochRecord: Sendable, Equatable, Codable {
    /// 1-based.
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    public var learningRate: Double
    public var seconds: Double
    public var samplesPerSecond: Double
    /// Per hidden layer, when diagnostics were asked for.
    public var layers: [LayerDiagnostics]?

    public init(
        epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double? = nil,
        validationAccuracy: Double? = nil,
        learningRate: Double, seconds: Double, samplesPerSecond: Double, layers: [LayerDiagnostics]? = nil
    ) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
        self.layers = layers
    }
}

/// Receives progress from `Training`, so the library itself never prints.
public protocol TrainingObserver: AnyObject {
    func epochStarted(epoch: Int, of total: Int, batches: Int)
    func batchFinished(epoch: Int, batch: Int, of total: Int, loss: Double, accuracy: Double, samplesPerSecond: Double)
    func epochFinished(_ record: EpochRecord)
    /// After every batch, with the run as it stands: for live views that look at the weights
    /// (`serve`'s playground). It runs on the training thread between two steps, so it must be
    /// quick; copying `state.model` is (the copy is made only when the next step writes).
    func batchTrained(_ batch: BatchOutcome, state: TrainingState)
}

/// What one training batch measured.
public struct BatchOutcome: Sendable, Equatable {
    /// 1-based, like `EpochRecord.epoch`.
    public var epoch: Int
    /// 1-based within the epoch.
    public var batch: Int
    public var batchesPerEpoch: Int
    /// The summed loss over the batch's examples, and how many it classified correctly.
    public var lossSum: Double
    public var correct: Int
    public var examples: Int
    public var learningRate: Double
}

extension TrainingObserver {
    public func epochStarted(epoch: Int, of total: Int, batches: Int) {}
    public func batchFinished(
        epoch: Int, batch: Int, of total: Int, loss: Double, accuracy: Double, samplesPerSecond: Double
    ) {}
    public func epochFinished(_ record: EpochRecord) {}
    public func batchTrained(_ batch: BatchOutcome, state: TrainingState) {}
}

/// Training stopped because the numbers stopped being numbers.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case nonFinite(epoch: Int, batch: Int, learningRate: Double, what: String)

    public var description: String {
        switch self {
        case .nonFinite(let epoch, let batch, let lr, let what):
            return
                "training diverged: \(what) became NaN or infinite in epoch \(epoch), batch \(batch) at learning rate \(lr)"
        }
    }
}

/// A run in progress: the model, the optimiser and where training stands. A checkpoint stores
/// exactly this, so a resumed run continues as if it had never stopped.
public struct TrainingState: Sendable {
    public var model: MLP<Float>
    public var optimizer: SGD
    public var epochsCompleted = 0
    public var history: [EpochRecord] = []
    public var bestValidationLoss = Double.infinity
    public var epochsWithoutImprovement = 0
    public var stoppedEarly = false
    /// Where a run interrupted inside an epoch stands in epoch `epochsCompleted + 1`; empty at
    /// epoch boundaries. The batch order comes from (seed, epoch), so this is all a resume needs.
    public var partialEpoch = PartialEpoch()

    public init(model: MLP<Float>, optimizer: SGD) {
        self.model = model
        self.optimizer = optimizer
    }

    /// The parameters and the velocity as raw pointers for one step.
    mutating func withParameters<R>(_ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> R) -> R {
        model.parameters.withUnsafeMutableBufferPointer { w in
            optimizer.velocity.withUnsafeMutableBufferPointer { v in body(w.baseAddress!, v.baseAddress!) }
        }
    }
}

/// The batches of an epoch already trained, and what they measured, so that the epoch's record is
/// the same whether or not the run was interrupted in it.
public struct PartialEpoch: Sendable, Equatable, Codable {
    public var batches = 0
    public var lossSum = 0.0
    public var correct = 0
    public var examples = 0
    public var seconds = 0.0
    /// Per layer, summed weight-gradient norms (diagnostics only).
    public var gradientNormSums: [Double] = []

    public init() {}

    init(batches: Int, lossSum: Double, correct: Int, examples: Int, seconds: Double, gradientNormSums: [Double]) {
        (self.batches, self.lossSum, self.correct, self.examples, self.seconds, self.gradientNormSums) =
            (batches, lossSum, correct, examples, seconds, gradientNormSums)
    }
}

/// How a call of `Training.run` ended.
public enum TrainingOutcome: Sendable, Equatable {
    /// Every planned epoch ran, or early stopping ended the run.
    case finished
    /// `shouldStop` asked for a stop; the state is resumable from the batch after the last one trained.
    case interrupted
}

/// The epoch/batch loop of mini-batch SGD over a training set with an optional validation split.
public struct Training: Sendable {
    public let config: TrainingConfig
    public let trainSet: DigitDataset
    public let split: Split

    /// Splits `trainSet` with the seed's `split` stream; check `config.problem` first.
    public init(config: TrainingConfig, trainSet: DigitDataset) {
        self.config = config
        self.trainSet = trainSet
        split = Split(count: trainSet.count, validationCount: config.validationCount, seed: config.seed)
    }

    /// The same run as a batch schedule: which examples, in which order, epoch by epoch.
    public var batches: BatchSchedule {
        BatchSchedule(indices: split.train, batchSize: config.batchSize, seed: config.seed)
    }

    /// A fresh network and optimiser for this configuration.
    public func initialState() -> TrainingState {
        let architecture = config.architecture(inputs: trainSet.featureCount)
        let model = MLP<Float>(architecture: architecture, seed: config.seed)
        let optimizer = SGD(
            parameterCount: model.parameters.count, momentum: config.momentum,
            nesterov: config.nesterov, weightDecay: config.weightDecay)
        return TrainingState(model: model, optimizer: optimizer)
    }

    /// Trains from where `state` stands up to `config.epochs` (or early stopping), reporting to
    /// `observer`, with each step split over `threads` threads; the numbers do not depend on `threads`.
    /// After each batch `shouldStop` is asked whether to stop there; after each epoch `epochEnded`
    /// gets the state (to save it). A run stopped and resumed gives the same weights, bit for bit,
    /// as one that never stopped, whatever the schedule.
    /// - Throws: `TrainingError.nonFinite` the moment the loss or the weights stop being finite, and
    ///   whatever `epochEnded` throws.
    @discardableResult
    public func run(
        _ state: inout TrainingState, observer: TrainingObserver? = nil, threads: Int = 1,
        shouldStop: () -> Bool = { false }, epochEnded: (TrainingState) throws -> Void = { _ in }
    ) throws -> TrainingOutcome {
        let schedule = batches
        let validation = split.validation.isEmpty ? nil : trainSet.subset(split.validation)
        let evaluation = validation.map { _ in
            Evaluation.Buffers(
                architecture: state.model.architecture, featureCount: trainSet.featureCount, threads: threads)
        }
        let step = TrainingStep(
            layers: state.model.layers, classes: state.model.architecture.outputs,
            workspace: Workspace<Float>(
                architecture: state.model.architecture, capacity: config.batchSize,
                dropout: config.dropout > 0),
            team: WorkerTeam(size: threads), precision: config.precision)
        let gatherer = BatchGatherer(
            capacity: config.batchSize, featureCount: trainSet.featureCount, copies: step.team.size,
            augmentation: config.augmentation, imageShape: (trainSet.rows, trainSet.cols))

        while state.epochsCompleted < config.epochs && !state.stoppedEarly {
            if state.partialEpoch.batches == 0 && state.epochsCompleted > 0 && shouldStop() { return .interrupted }
            let epoch = state.epochsCompleted
            observer?.epochStarted(epoch: epoch + 1, of: config.epochs, batches: schedule.batchCount)
            guard
                var (record, gradientNorms) = try trainEpoch(
                    epoch, schedule: schedule, state: &state, step: step, gatherer: gatherer,
                    observer: observer, shouldStop: shouldStop)
            else { return .interrupted }
            if let validation, let evaluation {
                validate(
                    on: validation, record: &record, gradientNorms: gradientNorms, buffers: evaluation, state: &state)
            }
            state.epochsCompleted += 1
            state.history.append(record)
            observer?.epochFinished(record)
            try epochEnded(state)
        }
        return .finished
    }

    /// How often the observer hears about batches: often enough for a live progress bar.
    private static let batchesPerProgressReport = 16

    /// One pass over the training split (or the rest of one, after an interruption): gather → step,
    /// batch after batch. Returns the epoch's record and, with diagnostics, each layer's mean
    /// weight-gradient norm; nil when `shouldStop` stopped it, with the progress in `state.partialEpoch`.
    private func trainEpoch(
        _ epoch: Int, schedule: BatchSchedule, state: inout TrainingState, step: TrainingStep,
        gatherer: BatchGatherer, observer: TrainingObserver?, shouldStop: () -> Bool
    ) throws -> (EpochRecord, [Double])? {
        let batchCount = schedule.batchCount
        let order = schedule.order(epoch: epoch)
        // The fused update is faster but never exposes the weight gradients the diagnostics measure.
        let fused = state.optimizer.canFuse && !config.diagnostics
        let resumed = state.partialEpoch
        var gradientNormSums =
            resumed.gradientNormSums.count == step.layers.count
            ? resumed.gradientNormSums
            : [Double](repeating: 0, count: step.layers.count)
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { resumed.seconds + Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        var (lossSum, correct, seen) = (resumed.lossSum, resumed.correct, resumed.examples)
        var learningRate = 0.0

        for b in resumed.batches..<batchCount {
            learningRate = config.schedule.learningRate(
                base: config.effectiveLearningRate, epoch: epoch,
                step: epoch * batchCount + b, totalSteps: batchCount * config.epochs)
            gatherer.select(
                trainSet, order: order, range: b * config.batchSize..<min((b + 1) * config.batchSize, order.count),
                seed: config.seed, epoch: epoch)
            let rule = SGD.Rule(state.optimizer, learningRate: learningRate)
            let dropout =
                config.dropout > 0 ? Dropout(rate: config.dropout, seed: config.seed, epoch: epoch, batch: b) : nil
            let (loss, hits) = state.withParameters { w, v in
                step(
                    gatherer,
                    update: SGD.StepUpdate(
                        rule: rule, fused: fused, w: w, v: v, g: step.workspace.gradients.baseAddress!),
                    dropout: dropout)
            }
            guard loss.isFinite else {
                throw TrainingError.nonFinite(
                    epoch: epoch + 1, batch: b + 1, learningRate: learningRate, what: "the loss")
            }
            if config.diagnostics {
                for (l, layer) in step.layers.enumerated() {
                    gradientNormSums[l] += norm(step.workspace.gradients, layer.weight)
                }
            }
            lossSum += loss
            correct += hits
            seen += gatherer.rows
            observer?.batchTrained(
                BatchOutcome(
                    epoch: epoch + 1, batch: b + 1, batchesPerEpoch: batchCount, lossSum: loss, correct: hits,
                    examples: gatherer.rows, learningRate: learningRate), state: state)
            if let observer, (b + 1) % Self.batchesPerProgressReport == 0 || b == batchCount - 1 {
                observer.batchFinished(
                    epoch: epoch + 1, batch: b + 1, of: batchCount, loss: lossSum / Double(seen),
                    accuracy: Double(correct) / Double(seen), samplesPerSecond: Double(seen) / max(elapsed(), 1e-9))
            }
            if b < batchCount - 1 && shouldStop() {
                state.partialEpoch = PartialEpoch(
                    batches: b + 1, lossSum: lossSum, correct: correct, examples: seen,
                    seconds: elapsed(), gradientNormSums: config.diagnostics ? gradientNormSums : [])
                return nil
            }
        }
        let seconds = elapsed()
        state.partialEpoch = PartialEpoch()
        guard state.model.parameters.allSatisfy({ $0.isFinite }) else {
            throw TrainingError.nonFinite(
                epoch: epoch + 1, batch: batchCount, learningRate: learningRate, what: "the weights")
        }
        let record = EpochRecord(
            epoch: epoch + 1, trainLoss: lossSum / Double(seen), trainAccuracy: Double(correct) / Double(seen),
            learningRate: learningRate, seconds: seconds, samplesPerSecond: Double(seen) / seconds)
        return (record, gradientNormSums.map { $0 / Double(batchCount) })
    }

    /// Validation loss and accuracy (and the diagnostics measured on validation data) into `record`;
    /// counts the epochs without improvement for early stopping.
    private func validate(
        on validation: DigitDataset, record: inout EpochRecord, gradientNorms: [Double], buffers: Evaluation.Buffers,
        state: inout TrainingState
    ) {
        let result = Evaluation(model: state.model, data: validation, diagnostics: config.diagnostics, buffers: buffers)
        record.validationLoss = result.loss
        record.validationAccuracy = result.accuracy
        if config.diagnostics {
            record.layers = zip(result.layers, gradientNorms).map { layer, norm in
                var layer = layer
                layer.gradientNorm = norm
                return layer
            }
        }
        if result.loss < state.bestValidationLoss {
            state.bestValidationLoss = result.loss
            state.epochsWithoutImprovement = 0
        } else {
            state.epochsWithoutImprovement += 1
            if let patience = config.patience, state.epochsWithoutImprovement >= patience { state.stoppedEarly = true }
        }
    }

    private func norm(_ values: UnsafeMutableBufferPointer<Float>, _ range: Range<Int>) -> Double {
        var sum = 0.0  // in Double: squares of a diverging run's gradients overflow Float
        for i in range { sum += Double(values[i]) * Double(values[i]) }
        return sum.squareRoot()
    }
}
