import ArgumentParser
import Dataset
import Foundation
import Model

/// `trainer train`: trains an MLP with SGD and saves it as safetensors.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an MLP digit classifier (the default command).",
        discussion: """
        Activations: \(activationChoices).
        Without --lr each activation uses its measured default learning rate: \
        \(Activation.all.map { "\($0.name) \($0.defaultLearningRate)" }.joined(separator: ", ")).
        """
    )

    static let defaultModelPath = "model.safetensors"

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Hidden-layer activation, or a comma-separated list with one per hidden layer. (default: relu)", transform: ActivationList.init(parsing:))
    var activation = ActivationList([.relu])

    @OptionGroup var options: TrainingOptions

    @Option(help: "Seed for initialisation, split and shuffling: the same seed gives the same model.")
    var seed: UInt64 = 1

    @Option(help: "Stop after this many epochs without a lower validation loss.")
    var patience: Int?

    @Option(name: .shortAndLong, help: "Where to save the model (safetensors).")
    var output = Train.defaultModelPath

    @Option(help: "Continue training from this checkpoint (same data; its settings are kept, --epochs is the new total).")
    var resume: String?

    @OptionGroup var threading: ThreadOptions

    @OptionGroup var compute: ComputeOptions

    @Flag(help: "Print only the final result.")
    var quiet = false

    @Flag(help: "Print one JSON object per epoch and one for the result, for scripts.")
    var json = false

    func makeConfig() throws -> TrainingConfig {
        var config = TrainingConfig()
        config.activations = activation.activations
        options.apply(to: &config)
        config.seed = seed
        config.patience = patience
        return config
    }

    func run() throws {
        warnIfUnoptimised()
        compute.apply()
        let resumed = try resume.map { try Checkpoint(contentsOf: $0) }
        let data = try dataOptions.load(modelDataset: resumed?.datasetKind)

        var config: TrainingConfig
        var state: TrainingState?
        if let resume, let checkpoint = resumed {
            guard checkpoint.datasetSHA256.isEmpty || checkpoint.datasetSHA256 == data.sha256 else {
                throw Failure("\(resume): was trained on other data files than those in \(dataOptions.folder(for: data.kind)); resume with the same --data")
            }
            config = checkpoint.config
            config.epochs = options.epochs
            state = checkpoint.state
            if checkpoint.state.epochsCompleted >= options.epochs {
                throw Failure("\(resume): already trained for \(checkpoint.state.epochsCompleted) epochs; give a larger --epochs total to continue")
            }
        } else {
            config = try makeConfig()
        }
        if let problem = config.problem(trainingExamples: data.train.count) { throw Failure(problem.flagWording) }

        let training = Training(config: config, trainSet: data.train)
        var current = state ?? training.initialState()
        let style: ProgressStyle = json ? .json : quiet ? .quiet : (Terminal.stderrIsTerminal ? .bar : .lines)
        let progress = ProgressReporter(style: style)
        progress.header(dataset: data, config: config, architecture: current.model.architecture, threads: threading.threads,
                        resumedAt: state.map { _ in current.epochsCompleted })
        if config.activations.contains(.step) {
            progress.note("note: the step activation has zero derivative everywhere, so the layers below it never learn; only the output layer trains.")
        }

        do {
            try training.run(&current, observer: progress, threads: threading.threads)
        } catch let error as TrainingError {
            throw Failure(error.advice)
        }
        let test = Evaluation(model: current.model, data: data.test, threads: threading.threads)
        let checkpoint = Checkpoint(config: config, state: current, dataset: data.kind.rawValue, datasetSHA256: data.sha256,
                                    testAccuracy: test.accuracy, testLoss: test.loss)
        try checkpoint.write(to: output)
        progress.finished(test: test, savedTo: output, stoppedEarly: current.stoppedEarly, epochs: current.epochsCompleted)
    }
}
