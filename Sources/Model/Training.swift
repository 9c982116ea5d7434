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
    public var optimizer = OptimizerKind.sgd
    public var momentum = 0.9
    public var nesterov = false
    public var weightDecay = 0.0
    /// Adam's decay rates of the gradient's running mean and mean square, and its ε.
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-8
    public var schedule: Schedule = .cosine
    /// Epochs (fractions allowed) over which the learning rate rises linearly to its base before
    /// the schedule starts (0: none).
    public var warmupEpochs = 0.0
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
    /// Epochs over which the distortions grow from none to `augmentation`'s strength (0: full from the start).
    public var augmentationRamp = 0
    /// The probability that a hidden unit's output is dropped in a training step (0: none).
    public var dropout = 0.0
    /// How the first weights are drawn.
    public var initialization = Initialization.auto
    /// The number format of the step's matrix products (bf16: mixed precision; fp32 master weights).
    public var precision = Precision.fp32
    /// Views per test image when the finished model is tested (and, by default, when it reads):
    /// 1, or 5 or 9 with `TestTimeAugmentation`'s one-pixel moves. Training never sees it.
    public var testViews = 1
    /// What the output layer's training minimises (`OutputLoss`); reported losses are cross-entropy.
    public var outputLoss = OutputLoss.crossEntropy
    /// ε of label smoothing: training's targets are (1 − ε) · one-hot + ε / classes (0: none).
    public var labelSmoothing = 0.0
    /// The decay of the weights' moving average that the run evaluates, tests and saves (0: none).
    public var averageDecay = 0.0

    /// What the run's gradient minimises at the output.
    public var objective: TrainingObjective {
        TrainingObjective(outputLoss: outputLoss, labelSmoothing: labelSmoothing)
    }

    /// The test-time augmentation `testViews` asks for (check `problem` first).
    public var testTimeAugmentation: TestTimeAugmentation { TestTimeAugmentation(views: testViews) ?? .single }

    public init() {}

    /// Reads configurations saved before a setting existed with that setting's default: every
    /// setting in `TrainingSettings.all` is read under its stored key.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        for setting in TrainingSettings.all { try setting.decode(c, &self) }
        diagnostics = try c.decodeIfPresent(Bool.self, forKey: SettingKey("diagnostics")) ?? false
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: SettingKey.self)
        for setting in TrainingSettings.all { try setting.encode(&c, self) }
        try c.encode(diagnostics, forKey: SettingKey("diagnostics"))
    }

    /// What the distortions' ranges are scaled by in epoch `epoch` (0-based): (epoch + 1) / (ramp + 1)
    /// during the ramp, then 1.
    public func augmentationStrength(epoch: Int) -> Double {
        min(1, Double(epoch + 1) / Double(augmentationRamp + 1))
    }

    /// The activation of each hidden layer.
    public var layerActivations: [Activation] {
        activations.count == 1 ? Array(repeating: activations[0], count: hidden.count) : activations
    }

    public var effectiveLearningRate: Double {
        learningRate
            ?? (optimizer == .adam ? Self.adamLearningRate : activations.map(\.defaultLearningRate).min() ?? 0.01)
    }

    /// The optimiser in words, for progress lines and reports: `SGD, momentum 0.9` or `Adam (β₁ 0.9, β₂ 0.999, ε 1e-08)`.
    public var optimizerSummary: String {
        switch optimizer {
        case .sgd: return "SGD, momentum \(momentum.shortText)\(nesterov ? " (Nesterov)" : "")"
        case .adam:
            return
                "Adam (β₁ \(beta1.shortText), β₂ \(beta2.shortText), ε \(epsilon.shortText))\(weightDecay > 0 ? ", decoupled weight decay" : "")"
        }
    }

    /// Adam's rate when none is given: Kingma & Ba's default, and PyTorch's. (The activations'
    /// own rates were measured for SGD with momentum, and are a hundred times too large for Adam.)
    public static let adamLearningRate = 0.001

    public func architecture(inputs: Int, classes: Int = 10) -> Architecture {
        Architecture(inputs: inputs, hidden: hidden, activations: layerActivations, outputs: classes)
    }

    /// The largest hidden layer and batch a run accepts: beyond them memory, not learning, is the question.
    public static let widthLimit = 100_000
    public static let batchLimit = 65_536
    /// Dropping more than this leaves too little of each layer to learn from.
    public static let dropoutLimit = 0.9
    /// Beyond this the smoothed target no longer puts most of its weight on the label.
    public static let labelSmoothingLimit = 0.5

    /// The first reason this configuration cannot run on `trainingExamples` images, or nil: a
    /// setting that breaks its own rule (`TrainingSettings.all`), then the rules between settings
    /// and with the data and the CPU.
    public func problem(trainingExamples: Int) -> SettingProblem? {
        for setting in TrainingSettings.all {
            if let problem = setting.problem(in: self) { return problem }
        }
        if activations.count != 1 && activations.count != hidden.count {
            return SettingProblem(
                setting: "activation", rule: "one activation, or one per hidden layer (\(hidden.count))",
                got: activations.map(\.spec).joined(separator: ","))
        }
        if validationCount >= trainingExamples {
            return SettingProblem(
                setting: "validation", rule: "fewer than the training set's \(trainingExamples) images",
                got: String(validationCount))
        }
        if warmupEpochs >= Double(epochs) {
            return SettingProblem(
                setting: "warmup", rule: "fewer epochs than the run's \(epochs), so that the schedule has some left",
                got: warmupEpochs.shortText)
        }
        if labelSmoothing > 0 && outputLoss != .crossEntropy {
            return SettingProblem(
                setting: "label_smoothing",
                rule: "0 with --loss \(outputLoss.rawValue) (it smooths cross-entropy's targets)",
                got: labelSmoothing.shortText)
        }
        if optimizer == .adam && nesterov {
            return SettingProblem(
                setting: "nesterov", rule: "false with adam (Nesterov momentum is SGD's; Adam's momentum is beta1)",
                got: "true")
        }
        if !precision.isAvailable {
            return SettingProblem(
                setting: "precision",
                rule:
                    "fp32 on this CPU: it has no native \(precision) arithmetic (its best instruction set is \(Precision.cpuInstructionSet))",
                got: precision.rawValue)
        }
        return nil
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
    /// Every layer on a few held-out images, when the run was asked to probe them (`Training.probeImages`).
    public var probe: EpochProbe?

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
    /// Every `Training.batchesPerProgressReport` batches and after an epoch's last.
    func batchFinished(_ progress: BatchProgress)
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

/// Where an epoch stands at a progress report: what the bar, the JSON lines and the TensorBoard
/// log show, from one place.
public struct BatchProgress: Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    /// 1-based within the epoch: the batches trained so far in it.
    public var batch: Int
    public var batchesPerEpoch: Int
    /// Mean loss and accuracy over the epoch's batches so far (kept across an interruption, so a
    /// resumed run reports what an unbroken one would).
    public var loss: Double
    public var accuracy: Double
    /// Mean loss and accuracy over the batches since the epoch's previous report (or its start):
    /// where training stands now, without the lag of the epoch's mean.
    public var recentLoss: Double
    public var recentAccuracy: Double
    /// The rate the latest batch was trained at.
    public var learningRate: Double
    public var samplesPerSecond: Double

    /// Batches trained since the run began: the x-axis that a run's every figure shares.
    public var step: Int { (epoch - 1) * batchesPerEpoch + batch }
}

extension TrainingObserver {
    public func epochStarted(epoch: Int, of total: Int, batches: Int) {}
    public func batchFinished(_ progress: BatchProgress) {}
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
                "training diverged: \(what) became NaN or infinite in epoch \(epoch), batch \(batch) at learning rate \(lr.rounded(significantDigits: 3).shortText)"
        }
    }
}

/// A run in progress: the model, the optimiser and where training stands. A checkpoint stores
/// exactly this, so a resumed run continues as if it had never stopped.
public struct TrainingState: Sendable {
    public var model: MLP<Float>
    public var optimizer: Optimizer
    public var epochsCompleted = 0
    public var history: [EpochRecord] = []
    public var bestValidationLoss = Double.infinity
    public var epochsWithoutImprovement = 0
    public var stoppedEarly = false
    /// Where a run interrupted inside an epoch stands in epoch `epochsCompleted + 1`; empty at
    /// epoch boundaries. The batch order comes from (seed, epoch), so this is all a resume needs.
    public var partialEpoch = PartialEpoch()

    public init(model: MLP<Float>, optimizer: Optimizer) {
        self.model = model
        self.optimizer = optimizer
    }

    /// The parameters, the velocity, Adam's second moment (nil for SGD) and the weights' moving
    /// average (nil without one) as raw pointers for one step.
    mutating func withParameters<R>(
        _ body: (
            UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?,
            UnsafeMutablePointer<Float>?
        ) -> R
    ) -> R {
        optimizer.withBuffers(&model, body)
    }

    /// The weights' moving average, when the run keeps one (`TrainingConfig.averageDecay`) and has
    /// started it; nil otherwise.
    var averagedParameters: [Float]? {
        optimizer.averages && optimizer.average.count == model.parameters.count ? optimizer.average : nil
    }

    /// The network a run evaluates, tests and saves: the weights' moving average when the run
    /// keeps one, else the weights as trained.
    public var evaluatedModel: MLP<Float> {
        guard let averagedParameters else { return model }
        var averaged = model
        averaged.parameters = averagedParameters
        return averaged
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
    /// The sums as they stood at the epoch's last progress report, so that the first report after
    /// a resume covers the same batches as it would have (nil: none yet, or a checkpoint from before).
    public var lastReport: Tally?

    /// Loss summed over examples, and those classified correctly.
    public struct Tally: Sendable, Equatable, Codable {
        public var lossSum = 0.0
        public var correct = 0
        public var examples = 0
    }

    public init() {}

    init(
        batches: Int, lossSum: Double, correct: Int, examples: Int, seconds: Double, gradientNormSums: [Double],
        lastReport: Tally
    ) {
        (self.batches, self.lossSum, self.correct, self.examples, self.seconds, self.gradientNormSums) =
            (batches, lossSum, correct, examples, seconds, gradientNormSums)
        self.lastReport = lastReport
    }
}

/// How a call of `Training.run` ended.
public enum TrainingOutcome: Sendable, Equatable {
    /// Every planned epoch ran, or early stopping ended the run.
    case finished
    /// `shouldStop` asked for a stop; the state is resumable from the batch after the last one trained.
    case interrupted
}

/// The epoch/batch loop of mini-batch training (SGD or Adam) over a training set with an optional validation split.
public struct Training: Sendable {
    public let config: TrainingConfig
    public let trainSet: DigitDataset
    public let split: Split
    /// With dropout, record each batch's training loss and accuracy as the whole network scores
    /// the batch before its step (one more forward pass, dropout off) instead of as the thinned
    /// network trained on it: the figure Hendrycks & Gimpel plot, so that runs with and without
    /// dropout are compared on one measure. The weights do not change.
    public let lossWithoutDropout: Bool
    /// Measure every layer at each epoch's end on this many held-out images (`EpochProbe`, in
    /// `EpochRecord.probe`); 0 for none. The weights do not change.
    public let probeImages: Int

    /// Splits `trainSet` with the seed's `split` stream; check `config.problem` first.
    public init(
        config: TrainingConfig, trainSet: DigitDataset, lossWithoutDropout: Bool = false, probeImages: Int = 0
    ) {
        self.config = config
        self.trainSet = trainSet
        self.lossWithoutDropout = lossWithoutDropout
        self.probeImages = probeImages
        split = Split(count: trainSet.count, validationCount: config.validationCount, seed: config.seed)
    }

    /// The first `count` images held out for validation, or of the training split when none are:
    /// what the epoch probe and an ablation's first-epoch trace measure on, the same for every run of a seed.
    public func heldOut(_ count: Int) -> [Int] {
        Array((split.validation.isEmpty ? split.train : split.validation).prefix(count))
    }

    /// The same run as a batch schedule: which examples, in which order, epoch by epoch.
    public var batches: BatchSchedule {
        BatchSchedule(indices: split.train, batchSize: config.batchSize, seed: config.seed)
    }

    /// A fresh network and optimiser for this configuration.
    public func initialState() -> TrainingState {
        let architecture = config.architecture(inputs: trainSet.featureCount)
        let model = MLP<Float>(architecture: architecture, seed: config.seed, initialization: config.initialization)
        return TrainingState(model: model, optimizer: Optimizer(config, parameterCount: model.parameters.count))
    }

    /// Trains from where `state` stands up to `config.epochs` (or early stopping), reporting to
    /// `observer`, with each step split over `threads` threads (another count can change float rounding).
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
            team: WorkerTeam(size: threads), precision: config.precision, objective: config.objective)
        let probeSet = trainSet.subset(heldOut(probeImages))
        let probe =
            probeSet.count > 0
            ? LiveProbe(
                architecture: state.model.architecture, data: probeSet, picturedUnits: 0,
                objective: config.objective) : nil
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
            if let probe {
                let start = DispatchTime.now().uptimeNanoseconds
                let (figures, histograms) = probe.measureWithHistograms(state.model)
                record.probe = EpochProbe(
                    figures: figures, histograms: histograms, images: probe.count,
                    seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            state.epochsCompleted += 1
            observer?.epochFinished(record)
            record.probe?.histograms = []  // the observers' alone: a run's history stays small
            state.history.append(record)
            try epochEnded(state)
        }
        return .finished
    }

    /// How often the observer hears about batches: often enough for a live progress bar.
    public static let batchesPerProgressReport = 16

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
        var reported = resumed.lastReport ?? PartialEpoch.Tally()
        var learningRate = 0.0

        for b in resumed.batches..<batchCount {
            learningRate = config.schedule.learningRate(
                base: config.effectiveLearningRate, step: epoch * batchCount + b,
                totalSteps: batchCount * config.epochs,
                stepsPerEpoch: batchCount, warmupSteps: Int((config.warmupEpochs * Double(batchCount)).rounded()))
            gatherer.select(
                trainSet, order: order, range: b * config.batchSize..<min((b + 1) * config.batchSize, order.count),
                seed: config.seed, epoch: epoch, strength: config.augmentationStrength(epoch: epoch))
            let rule = state.optimizer.nextRule(learningRate: learningRate)
            let dropout =
                config.dropout > 0 ? Dropout(rate: config.dropout, seed: config.seed, epoch: epoch, batch: b) : nil
            let whole = dropout != nil && lossWithoutDropout ? wholeNetworkScore(state.model, gatherer, step) : nil
            var (loss, hits) = state.withParameters { w, v, s, a in
                step(
                    gatherer,
                    update: Optimizer.StepUpdate(
                        rule: rule, fused: fused, w: w, v: v, s: s, g: step.workspace.gradients.baseAddress!,
                        average: a),
                    dropout: dropout)
            }
            guard loss.isFinite else {
                throw TrainingError.nonFinite(
                    epoch: epoch + 1, batch: b + 1, learningRate: learningRate, what: "the loss")
            }
            if let whole { (loss, hits) = whole }
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
            if (b + 1) % Self.batchesPerProgressReport == 0 || b == batchCount - 1 {
                let recent = Double(max(1, seen - reported.examples))
                observer?.batchFinished(
                    BatchProgress(
                        epoch: epoch + 1, batch: b + 1, batchesPerEpoch: batchCount, loss: lossSum / Double(seen),
                        accuracy: Double(correct) / Double(seen), recentLoss: (lossSum - reported.lossSum) / recent,
                        recentAccuracy: Double(correct - reported.correct) / recent, learningRate: learningRate,
                        samplesPerSecond: Double(seen) / max(elapsed(), 1e-9)))
                reported = PartialEpoch.Tally(lossSum: lossSum, correct: correct, examples: seen)
            }
            if b < batchCount - 1 && shouldStop() {
                state.partialEpoch = PartialEpoch(
                    batches: b + 1, lossSum: lossSum, correct: correct, examples: seen,
                    seconds: elapsed(), gradientNormSums: config.diagnostics ? gradientNormSums : [],
                    lastReport: reported)
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

    /// The summed loss and the hits of the whole network (no dropout) on the gathered batch, with
    /// the weights as they stand before the batch's step. Uses the step's workspace, which the
    /// step then overwrites.
    private func wholeNetworkScore(_ model: MLP<Float>, _ batch: BatchGatherer, _ step: TrainingStep) -> (
        loss: Double, correct: Int
    ) {
        batch.copyPixels(rows: 0..<batch.rows, copy: 0, worker: 0)
        model.forward(UnsafePointer(batch.inputs.baseAddress!), rows: batch.rows, workspace: step.workspace)
        return SoftmaxCrossEntropy.evaluate(
            logits: UnsafePointer(step.workspace.logits), labels: UnsafePointer(batch.labels.baseAddress!),
            rows: batch.rows,
            classes: model.architecture.outputs)
    }

    /// Validation loss and accuracy (and the diagnostics measured on validation data) into `record`;
    /// counts the epochs without improvement for early stopping.
    private func validate(
        on validation: DigitDataset, record: inout EpochRecord, gradientNorms: [Double], buffers: Evaluation.Buffers,
        state: inout TrainingState
    ) {
        let result = Evaluation(
            model: state.evaluatedModel, data: validation, diagnostics: config.diagnostics, buffers: buffers)
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
