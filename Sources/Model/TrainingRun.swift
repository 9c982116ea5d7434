import Dataset
import Foundation

/// A run from where its state stands to a tested model: train it (a checkpoint after every epoch),
/// test the finished model through its test views, and keep it with its test figures. The one path
/// that `trainer train`, the playground's runs and every ablation cell take, so that all three save
/// the same files and report the same test figures.
public struct TrainingRun: Sendable {
    public let training: Training
    public let data: TrainAndTest
    /// Threads each step and the test are split over.
    public let threads: Int
    /// What `.auto` precision chose, and by which timings; nil when the configuration named a format.
    public let precisionChoice: PrecisionChoice?
    /// Stamps each checkpoint with the time it is saved; nil leaves the stamp out, so that two
    /// same-seed runs give byte-identical files (what ablation cells keep).
    public let clock: (@Sendable () -> Date)?

    /// How `run` ended.
    public enum Outcome: Sendable {
        /// Every epoch ran (or early stopping ended the run), and the model was tested.
        case tested(Checkpoint, Evaluation)
        /// `shouldStop` asked for a stop; the state is resumable from the next batch.
        case interrupted
    }

    /// A run of `config` on `data` over `threads` threads; `trainSet` when it trains on part of
    /// `data.train` only; `lossWithoutDropout` and `probeImages` as `Training`'s. An `.auto`
    /// precision is chosen here, by timing the run's own step in each format (`PrecisionChoice`);
    /// the run trains, and its checkpoints record, the one chosen.
    public init(
        config: TrainingConfig, data: TrainAndTest, trainSet: DigitDataset? = nil, threads: Int = 1,
        clock: (@Sendable () -> Date)? = { Date() }, lossWithoutDropout: Bool = false,
        probeImages: Int = 0
    ) {
        let trainSet = trainSet ?? data.train
        var config = config
        if config.precision == .auto {
            let choice = PrecisionChoice.measure(
                config, inputs: trainSet.featureCount, classes: data.kind.classNames.count, threads: threads)
            config.precision = choice.precision
            precisionChoice = choice
        } else {
            precisionChoice = nil
        }
        training = Training(
            config: config, trainSet: trainSet, lossWithoutDropout: lossWithoutDropout, probeImages: probeImages)
        (self.data, self.threads, self.clock) = (data, threads, clock)
    }

    public var config: TrainingConfig { training.config }

    /// `state` as a checkpoint of this run, with its test figures when it has been tested.
    public func checkpoint(_ state: TrainingState, test: Evaluation? = nil) -> Checkpoint {
        Checkpoint(
            config: config, state: state, dataset: data.kind.rawValue, datasetSHA256: data.sha256,
            testAccuracy: test?.accuracy, testLoss: test?.loss, savedAt: clock?())
    }

    /// Trains `state` to the end (`Training.run`: `observer` and `shouldStop` as there),
    /// hands `save` a checkpoint after every epoch, and once every epoch has run tests the model
    /// and hands `save` the final checkpoint, test figures included.
    /// - Throws: `TrainingError.nonFinite` when the run diverges, and whatever `save` throws.
    public func run(
        _ state: inout TrainingState, observer: TrainingObserver? = nil, shouldStop: () -> Bool = { false },
        save: (Checkpoint) throws -> Void = { _ in }
    ) throws -> Outcome {
        let outcome = try training.run(&state, observer: observer, threads: threads, shouldStop: shouldStop) {
            try save(checkpoint($0))
        }
        guard outcome == .finished else { return .interrupted }
        let test = Evaluation(
            model: state.evaluatedModel, data: data.test, threads: threads, views: config.testTimeAugmentation)
        let tested = checkpoint(state, test: test)
        try save(tested)
        return .tested(tested, test)
    }
}
