import ArgumentParser
import Dataset
import Foundation
import Model
import Report

/// `trainer train`: trains an MLP with SGD and saves it as safetensors.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an MLP digit classifier (the default command).",
        discussion: """
            Recipes (--recipe NAME; options given beside it override the recipe's):
            \(Recipe.help)

            \(SettingOptions.help())
            """
    )

    static let defaultModelPath = "model.safetensors"

    @Option(
        help: ArgumentHelp(
            "A measured setup: \(Recipe.allCases.map(\.rawValue).joined(separator: " or ")) (listed above). Options given beside it override its values."
        ))
    var recipe: Recipe?

    @OptionGroup var dataOptions: DataOptions

    @OptionGroup var settings: SettingOptions

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Where to save the model (safetensors): after every epoch, and at the end with its test accuracy. (default: model.safetensors; with --resume, the file resumed)"
        ))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Continue a saved run, on its own data and settings.",
            discussion:
                "Without --epochs it finishes the run as planned: the same schedule and data order, and the same weights as a run that never stopped. With --epochs it extends the run to that total."
        ))
    var resume: String?

    @OptionGroup var threading: ThreadOptions

    @OptionGroup var compute: ComputeOptions

    @OptionGroup var log: LogDirOption

    @Flag(help: "Print only the final result.")
    var quiet = false

    @Flag(
        help:
            "Print one JSON object per progress report (every \(Training.batchesPerProgressReport) batches), per epoch and for the result, for scripts."
    )
    var json = false

    func makeConfig() throws -> TrainingConfig {
        var config = TrainingConfig()
        try settings.apply(to: &config)
        return config
    }

    func validate() throws {
        // Every setting read and checked against its rule once, before anything runs.
        _ = try makeConfig()
        if recipe != nil && resume != nil {
            throw ValidationError(
                "--recipe and --resume: a resumed run keeps the settings it was started with; leave --recipe out")
        }
    }

    func run() throws {
        warnIfUnoptimised()
        compute.apply()
        let resumed = try resume.map { try Checkpoint(contentsOf: $0) }
        let data = try dataOptions.load(modelDataset: resumed?.datasetKind)
        let output = self.output ?? resume ?? Self.defaultModelPath

        var config: TrainingConfig
        var state: TrainingState?
        if let resume, let checkpoint = resumed {
            guard checkpoint.datasetSHA256.isEmpty || checkpoint.datasetSHA256 == data.sha256 else {
                throw Failure(
                    "\(resume): was trained on other data files than those in \(dataOptions.folder(for: data.kind)); resume with the same --data"
                )
            }
            config = checkpoint.config
            // Given beside --resume, --epochs extends the run to a new total; nothing else may change.
            let changed = try settings.given().map(\.setting.id).filter { $0 != "epochs" }
            if let first = changed.first {
                throw Failure(
                    "\(resume): a resumed run keeps the settings it was started with; leave \(TrainingSettings.named(first)!.flag) out (only --epochs may extend it)"
                )
            }
            try settings.apply(to: &config)
            state = checkpoint.state
            let done = checkpoint.state.epochsCompleted
            // Without a test result the run was stopped after its last epoch, before the end: finish it.
            let finished = checkpoint.testAccuracy != nil
            if checkpoint.state.stoppedEarly && finished {
                throw Failure(
                    "\(resume): stopped early after \(done) epochs (validation loss stopped improving); there is nothing left to resume"
                )
            }
            let extended = try !settings.values(of: "epochs").isEmpty
            if done >= config.epochs && (finished || extended) {
                throw Failure(
                    "\(resume): already trained for \(done) epochs; give --epochs with a larger total to train further")
            }
        } else {
            config = try makeConfig()
        }
        let precisionNote: String?
        (config, precisionNote) = config.withAvailablePrecision()
        if let problem = config.problem(trainingExamples: data.train.count) { throw Failure(problem.flagWording) }

        let run = TrainingRun(config: config, data: data, threads: threading.threads, probeImages: log.probeImages)
        config = run.config
        let tensorBoard = try log.logDir.map {
            try TrainingLog(
                folder: $0, training: run.training, commandLine: typedCommandLine(), resuming: resume != nil,
                host: LogDirOption.host)
        }
        var current = state ?? run.training.initialState()
        let style: ProgressStyle = json ? .json : quiet ? .quiet : (Terminal.stderrIsTerminal ? .bar : .lines)
        let progress = ProgressReporter(style: style)
        if let recipe {
            progress.note(
                "recipe \(recipe.rawValue): \(recipe.arguments.joined(separator: " ")) (options given beside it take precedence)"
            )
        }
        if let precisionNote { progress.note(precisionNote) }
        if let choice = run.precisionChoice { progress.note("precision auto: \(choice.description)") }
        progress.header(
            dataset: data, config: config, architecture: current.model.architecture, threads: threading.threads,
            resumed: state)
        if config.augmentation.flip && data.kind == .mnist {
            progress.note(
                "note: --augment flip mirrors digits, and a mirrored 2, 3, 4, 5, 7 or 9 is no digit at all; flip suits pictures without a handedness, such as Fashion-MNIST's"
            )
        }
        if config.activations.contains(.step) {
            progress.note(
                "note: the step activation has zero derivative everywhere, so the layers below it never learn; only the output layer trains."
            )
        }

        let interrupts = Interrupts { signal in
            Terminal.error(
                "\n\(signal == SIGINT ? "interrupted" : "terminated"): finishing this batch and saving \(output) (signal again to stop at once)"
            )
        }
        let outcome: TrainingRun.Outcome
        do {
            outcome = try run.run(
                &current, observer: ObserverGroup([progress, tensorBoard]), shouldStop: { interrupts.received != nil },
                save: { try $0.write(to: output) })
        } catch let error as TrainingError {
            tensorBoard?.finished(epochs: current.epochsCompleted, test: nil, failure: error.description)
            let savedNow = current.history.count > (state?.history.count ?? 0)
            throw Failure(error.advice(saved: savedNow ? (output, current.history.last!.epoch) : nil))
        }
        guard case .tested(_, let test) = outcome else {
            tensorBoard?.flush()
            try run.checkpoint(current).write(to: output)
            progress.interrupted(savedTo: output, state: current, resume: resumeCommand(output))
            throw ExitCode(interrupts.exitStatus)
        }
        tensorBoard?.finished(epochs: current.epochsCompleted, test: (test.accuracy, test.loss))
        progress.finished(
            test: test, views: config.testViews, savedTo: output, stoppedEarly: current.stoppedEarly,
            epochs: current.epochsCompleted)
        if let failure = tensorBoard?.failure { throw Failure("\(failure); the model is saved in \(output)") }
    }

    /// The command that continues a run saved in `path`: the data, threads and GEMM library as now
    /// (the last two decide the rounding, so the resumed run is bit-identical), the rest from the checkpoint.
    private func resumeCommand(_ path: String) -> String {
        var words = ["trainer", "--resume", path, "--threads", String(threading.threads)]
        if let data = dataOptions.data { words += ["--data", data] }
        if compute.gemm != .platformDefault { words += ["--gemm", compute.gemm.rawValue] }
        return typedCommandLine(words)
    }
}
