import ArgumentParser
import Dataset
import Foundation
import Model
import Report

/// Where the data comes from; shared by every command that reads a data set.
struct DataOptions: ParsableArguments {
    @Option(
        help:
            "Data set: \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", ")) (default: mnist; for a saved model, the one it was trained on)."
    )
    var dataset: DatasetKind?

    @Option(
        help: ArgumentHelp(
            "Folder holding the four IDX files (.gz or plain).",
            discussion:
                "Default: $MNIST_MIRROR if it is a folder, else data/mnist (fill it with scripts/fetch-mnist); /usr/share/datasets/fashion-mnist for Fashion-MNIST."
        ))
    var data: String?

    /// The data set asked for, else `modelDataset` (a saved model's), else MNIST.
    func kind(modelDataset: DatasetKind? = nil) -> DatasetKind { dataset ?? modelDataset ?? .mnist }

    func folder(for kind: DatasetKind) -> String { data ?? Self.defaultFolder(for: kind) }

    /// Where the files are looked for without --data: `MNIST_MIRROR` when it names a local folder,
    /// else data/mnist (what scripts/fetch-mnist fills); Debian's package folder for Fashion-MNIST.
    static func defaultFolder(
        for dataset: DatasetKind, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        switch dataset {
        case .mnist:
            if let mirror = environment["MNIST_MIRROR"], !mirror.contains("://"), !mirror.isEmpty { return mirror }
            return "data/mnist"
        case .fashionMNIST:
            return "/usr/share/datasets/fashion-mnist"
        }
    }

    /// Loads the data set asked for, or for a saved model the one it was trained on (`modelDataset`).
    func load(modelDataset: DatasetKind? = nil) throws -> TrainAndTest {
        let kind = self.kind(modelDataset: modelDataset)
        do {
            return try TrainAndTest(kind: kind, folder: folder(for: kind))
        } catch let error as DatasetError {
            guard case .filesNotFound = error else { throw error }
            switch (kind, data) {
            case (.fashionMNIST, nil):
                throw Failure("\(error); install Fashion-MNIST with: apt-get install dataset-fashion-mnist")
            case (.mnist, nil): throw Failure("\(error) (run scripts/fetch-mnist, or set MNIST_MIRROR / --data)")
            default: throw Failure("\(error) (is --data the right folder?)")
            }
        }
    }
}

extension DatasetKind: ExpressibleByArgument {}

extension TrainAndTest {
    /// A note when `checkpoint` was trained on other data than this, or nil.
    func mismatchNote(for checkpoint: Checkpoint, path: String) -> String? {
        if let trained = checkpoint.datasetKind, trained != kind {
            return
                "note: \(path) was trained on \(trained.rawValue), not \(kind.rawValue); its accuracy here says little about it"
        }
        let differing = checkpoint.datasetSHA256.filter { file, sum in sha256[file].map { $0 != sum } ?? false }.keys
            .sorted()
        guard !differing.isEmpty else { return nil }
        return
            "note: \(path) was trained with other copies of \(differing.joined(separator: ", ")) than these (their SHA-256s differ)"
    }
}
extension GEMMLibrary: ExpressibleByArgument {}

/// How the arithmetic runs; shared by every command that multiplies matrices.
struct ComputeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "GEMM library: \(GEMMLibrary.available.map(\.rawValue).joined(separator: " or ")).",
            discussion:
                "oneDNN (the default on Linux) builds its kernels for the instruction sets this CPU reports; OpenBLAS's kernel follows OPENBLAS_CORETYPE or its table of CPU models."
        ))
    var gemm: GEMMLibrary = .platformDefault

    func validate() throws {
        guard GEMMLibrary.available.contains(gemm) else {
            throw ValidationError(
                "--gemm \(gemm.rawValue) is not available in this build (use \(GEMMLibrary.available.map(\.rawValue).joined(separator: " or ")))"
            )
        }
    }

    func apply() { GEMMLibrary.current = gemm }
}

/// How many threads share the work of one model; for every command that trains or evaluates one.
struct ThreadOptions: ParsableArguments {
    @Option(
        help:
            "Threads that share each training step and evaluation (default: all cores). The numbers do not depend on it."
    )
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}

/// The optimisation settings shared by `train` and `ablate`.
struct TrainingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Hidden-layer widths, comma-separated; 128x4 is four layers of 128. (default: 256,128)",
            discussion:
                "With ablate, repeat it to compare architectures: --hidden 256,128 --hidden 128x4 --hidden 128x8."),
        transform: LayerWidths.init(parsing:))
    var hidden: [LayerWidths] = []

    static let defaultHidden = [256, 128]

    @Option(
        help: ArgumentHelp(
            "Epochs to train. (default: 5)",
            discussion:
                "With train --resume: leave it out to finish the run as planned; give it to extend a run to a new total (a cosine schedule is then stretched over the new total)."
        ))
    var epochs: Int?

    static let defaultEpochs = 5

    @Option(help: "Examples per mini-batch.")
    var batchSize = 64

    @Option(
        help: ArgumentHelp(
            "Learning rate (default: each activation's own measured rate, listed in `trainer train --help`).",
            discussion:
                "With ablate, a comma list compares learning rates, `default` standing for each activation's own: --lr default,0.01,0.1,0.5."
        ),
        transform: LearningRateList.init(parsing:))
    var lr: LearningRateList?

    /// The architectures given (the default one when none was).
    var architectures: [[Int]] { hidden.isEmpty ? [Self.defaultHidden] : hidden.map(\.widths) }

    /// The learning rates given (each activation's default when none was).
    var learningRates: [LearningRateChoice] { lr?.rates ?? [.default] }

    /// For commands that train one network: refuses a second architecture or learning rate.
    func validateSingle() throws {
        guard hidden.count <= 1 else {
            throw ValidationError(
                "--hidden is given \(hidden.count) times; one network has one architecture (ablate compares several)")
        }
        guard learningRates.count == 1 else {
            throw ValidationError("--lr lists \(learningRates.count) rates; one run has one (ablate compares several)")
        }
    }

    @Option(help: "SGD momentum (0 for plain SGD).")
    var momentum = 0.9

    @Flag(help: "Use Nesterov momentum.")
    var nesterov = false

    @Option(help: "L2 weight decay on the weights (not biases).")
    var weightDecay = 0.0

    @Option(
        help:
            "Learning-rate schedule: constant, cosine, step (x0.1 every 2 epochs) or step:EVERY:FACTOR. (default: cosine)",
        transform: Schedule.init(parsing:))
    var schedule = Schedule.cosine

    @Option(help: "Training images held out for validation (0 for none).")
    var validation = 5000

    @Option(
        help: ArgumentHelp(
            "Distort the training images afresh each epoch: a comma list of \(Augmentation.names.joined(separator: ", ")), each with an optional :STRENGTH. (default: none)",
            discussion: Augmentation.rangesDescription + " A strength scales the ranges: affine:0.5 is half as strong."),
        transform: Augmentation.init(parsing:))
    var augment = Augmentation.none

    @Option(
        help:
            "The probability that a hidden unit's output is dropped in each training step (inverted dropout; none when evaluating)."
    )
    var dropout = 0.0

    @Option(
        help: ArgumentHelp(
            "Number format of the training step's matrix products: fp32, or bf16 (mixed precision: bf16 operands, fp32 accumulation, fp32 weights, loss and updates). (default: fp32; a recipe names its own)",
            discussion:
                "bf16 needs a CPU with native bf16 arithmetic (AVX512_BF16 or AMX); elsewhere the run says so and trains in fp32. Evaluation is always fp32."
        ))
    var precision: Precision?

    static let defaultPrecision = Precision.fp32

    @Option(
        help: ArgumentHelp(
            "Test the finished model reading each test image as the mean over 1, 5 or 9 views of it (moved by one pixel); recorded in the model, and what evaluate and predict use for it by default. (default: 1)"
        ))
    var tta: Int?

    /// Sets these options in `config`; `TrainingConfig.problem` checks the values against the data.
    func apply(to config: inout TrainingConfig) {
        config.hidden = architectures[0]
        config.epochs = epochs ?? Self.defaultEpochs
        config.batchSize = batchSize
        config.learningRate = learningRates[0].value
        config.momentum = momentum
        config.nesterov = nesterov
        config.weightDecay = weightDecay
        config.schedule = schedule
        config.validationCount = validation
        config.augmentation = augment
        config.dropout = dropout
        config.precision = precision ?? Self.defaultPrecision
        config.testViews = tta ?? 1
    }
}

extension Precision: ExpressibleByArgument {}

/// How many views of each image a saved model reads; for `evaluate` and `predict`.
struct ViewOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read each image as the mean over 1, 5 or 9 views of it (moved by one pixel). (default: what the model was tested with when trained)"
        ))
    var tta: Int?

    func validate() throws {
        if let tta, TestTimeAugmentation(views: tta) == nil {
            throw ValidationError(
                "--tta must be \(TestTimeAugmentation.viewCounts.map(String.init).joined(separator: ", ")) (got \(tta))"
            )
        }
    }

    /// The views asked for, else the checkpoint's own.
    func views(for checkpoint: Checkpoint) -> TestTimeAugmentation {
        tta.flatMap { TestTimeAugmentation(views: $0) } ?? checkpoint.config.testTimeAugmentation
    }
}

extension TrainingConfig {
    /// This configuration with bf16 replaced by fp32 on a CPU without native bf16, and the note that
    /// says so (nil when nothing changed). Falling back rather than refusing keeps recipes and
    /// scripts that ask for bf16 working on every machine: the answer is the same model, only slower.
    func withAvailablePrecision() -> (config: TrainingConfig, note: String?) {
        guard !precision.isAvailable else { return (self, nil) }
        var config = self
        config.precision = .fp32
        return (
            config,
            "note: this CPU has no native bf16 arithmetic (its best instruction set is \(Precision.cpuInstructionSet)); training in fp32"
        )
    }
}

/// Loads a saved model; the default path, when missing, gets advice on how to make one.
func loadCheckpoint(_ path: String) throws -> Checkpoint {
    do {
        return try Checkpoint(contentsOf: path)
    } catch CheckpointError.missing(let missing) where missing == Train.defaultModelPath {
        throw Failure("\(missing): no model yet; train one first with: trainer --activation relu --epochs 5")
    }
}

extension ConfigurationProblem {
    /// The problem in the words of the command line's flags.
    var flagWording: String {
        switch self {
        case .noHiddenLayer: return "--hidden: give at least one layer width"
        case .hiddenWidth(_, let limit): return "--hidden: each layer width must be between 1 and \(limit)"
        case .activationCount(_, let layers):
            return "--activation: give one activation, or one per hidden layer (\(layers))"
        case .epochs: return "--epochs must be at least 1"
        case .batchSize(_, let limit): return "--batch-size must be between 1 and \(limit)"
        case .learningRate: return "--lr must be a positive number"
        case .momentum: return "--momentum must be in [0, 1)"
        case .weightDecay: return "--weight-decay must be zero or positive"
        case .dropout(_, let limit): return "--dropout must be between 0 and \(limit)"
        case .validation(_, let examples):
            return "--validation must be between 0 and \(examples - 1) (the training set has \(examples) images)"
        case .patience: return "--patience must be at least 1"
        case .testViews:
            return "--tta must be \(TestTimeAugmentation.viewCounts.map(String.init).joined(separator: ", "))"
        case .precision(let precision, let isa):
            return
                "--precision \(precision): this CPU has no native \(precision) arithmetic (its best instruction set is \(isa)); use fp32"
        }
    }
}

extension ClaimNeed {
    /// The need in the words of `trainer ablate`'s flags.
    var flagWording: String {
        switch self {
        case .depths(let example):
            return "Needs architectures of different depths: add e.g. "
                + example.map { "--hidden \(AblationCell.widths($0))" }.joined(separator: " ") + "."
        case .activations(let activations):
            return "Needs \(activations.map(\.spec).joined(separator: " and ")) in --activations."
        case .oneOf(let activations):
            return "Needs \(activations.map(\.spec).joined(separator: " or ")) in --activations."
        case .learningRates(let example):
            return
                "Needs ReLU finished at two learning rates or more: add e.g. --lr \(example.map(\.description).joined(separator: ",")) "
                + "(a rate at which ReLU diverges in every seed gives no dead-unit count)."
        }
    }
}

extension NextRunWording {
    /// What a report written by `trainer` says: the flags to run next.
    static let commandLine = NextRunWording(
        need: { $0.flagWording },
        grid: "`--hidden` repeated, `--lr` with a list, or `--study depth|learning-rate`")
}

extension TrainingError {
    /// The error with what to try next, for someone at the command line, and what is on disk:
    /// `saved` is the file and epoch of the last checkpoint this run wrote, if it wrote one.
    func advice(saved: (path: String, epoch: Int)?) -> String {
        switch self {
        case .nonFinite(_, _, let lr, _):
            return "\(self); try a smaller --lr (say \(lr / 10)) or a smaller --momentum. "
                + (saved.map { "\($0.path) holds the run as it was after epoch \($0.epoch), before it diverged." }
                    ?? "No model was saved from this run.")
        }
    }
}

/// Warns once that a debug build is far slower than a release build.
func warnIfUnoptimised() {
    #if DEBUG
        Terminal.error(
            "warning: this trainer was built without optimisation and trains about 50x slower; build with: swift build -c release"
        )
    #endif
}
