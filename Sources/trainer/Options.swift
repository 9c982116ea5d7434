import ArgumentParser
import Dataset
import Foundation
import Model

/// Where the data comes from; shared by every command that reads a data set.
struct DataOptions: ParsableArguments {
    @Option(help: "Data set: \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: DatasetKind = .mnist

    @Option(help: ArgumentHelp("Folder holding the four IDX files (.gz or plain).",
                               discussion: "Default: $MNIST_MIRROR if it is a folder, else data/mnist (fill it with scripts/fetch-mnist); /usr/share/datasets/fashion-mnist for Fashion-MNIST."))
    var data: String?

    var folder: String { data ?? dataset.defaultFolder() }

    func load() throws -> DigitData {
        do {
            return try DigitData(kind: dataset, folder: folder)
        } catch DatasetError.filesNotFound(let folder, let missing) where dataset == .fashionMNIST && data == nil {
            throw Failure("\(folder): Fashion-MNIST is missing \(missing.joined(separator: ", ")); install it with: apt-get install dataset-fashion-mnist")
        }
    }
}

extension DatasetKind: ExpressibleByArgument {}
extension GEMMLibrary: ExpressibleByArgument {}

/// How the arithmetic runs; shared by every command that multiplies matrices.
struct ComputeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("GEMM library: \(GEMMLibrary.available.map(\.rawValue).joined(separator: " or ")).",
                               discussion: "oneDNN (the default on Linux) builds its kernels for the instruction sets this CPU reports; OpenBLAS's kernel follows OPENBLAS_CORETYPE or its table of CPU models."))
    var gemm: GEMMLibrary = .platformDefault

    func validate() throws {
        guard GEMMLibrary.available.contains(gemm) else {
            throw ValidationError("--gemm \(gemm.rawValue) is not available in this build (use \(GEMMLibrary.available.map(\.rawValue).joined(separator: " or ")))")
        }
    }

    func apply() { GEMMLibrary.current = gemm }
}

/// How many threads share the work of one model; for `train` and `evaluate`.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Threads that share each training step and evaluation (default: all cores). The numbers do not depend on it.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}

/// The optimisation settings shared by `train` and `ablate`.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Hidden-layer widths, comma-separated.")
    var hidden = "256,128"

    @Option(help: "Epochs to train (for `train --resume`: the new total, including those already done).")
    var epochs = 5

    @Option(help: "Examples per mini-batch.")
    var batchSize = 64

    @Option(help: "Learning rate (default: each activation's own measured rate, listed in `trainer train --help`).")
    var lr: Double?

    @Option(help: "SGD momentum (0 for plain SGD).")
    var momentum = 0.9

    @Flag(help: "Use Nesterov momentum.")
    var nesterov = false

    @Option(help: "L2 weight decay on the weights (not biases).")
    var weightDecay = 0.0

    @Option(help: "Learning-rate schedule: constant, cosine, step (x0.1 every 2 epochs) or step:EVERY:FACTOR.")
    var schedule = "cosine"

    @Option(help: "Training images held out for validation (0 for none).")
    var validation = 5000

    func validate() throws {
        _ = try parseWidths(hidden)
        guard Schedule(spec: schedule) != nil else {
            throw ValidationError("--schedule must be constant, cosine, step or step:EVERY:FACTOR (got '\(schedule)')")
        }
    }

    /// Sets these options in `config`; `TrainingConfig.problem` checks the values against the data.
    func apply(to config: inout TrainingConfig) throws {
        config.hidden = try parseWidths(hidden)
        config.epochs = epochs
        config.batchSize = batchSize
        config.learningRate = lr
        config.momentum = momentum
        config.nesterov = nesterov
        config.weightDecay = weightDecay
        config.schedule = Schedule(spec: schedule)!
        config.validationCount = validation
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

/// An error for the terminal: one line, already worded for the user.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Parses `relu`, `relu,tanh`, `leaky-relu:0.1`.
func parseActivations(_ text: String) throws -> [Activation] {
    try text.split(separator: ",").map { part in
        guard let activation = Activation(spec: String(part).trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("unknown activation '\(part)'; choose from \(activationChoices)")
        }
        return activation
    }
}

let activationChoices = Activation.all.map(\.name).joined(separator: ", ") + " (silu = swish; add :VALUE for α/β, e.g. leaky-relu:0.1)"

/// Parses `256,128`.
func parseWidths(_ text: String) throws -> [Int] {
    let widths = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError("--hidden takes positive layer widths separated by commas, such as 256,128 (got '\(text)')")
    }
    return widths.map { $0! }
}

/// Warns once that a debug build is far slower than a release build.
func warnIfUnoptimised() {
    #if DEBUG
    Terminal.error("warning: this trainer was built without optimisation and trains about 50x slower; build with: swift build -c release")
    #endif
}

enum Terminal {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
