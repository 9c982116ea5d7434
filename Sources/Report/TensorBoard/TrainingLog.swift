import Dataset
import Foundation
import Model

/// A training run's TensorBoard log, written as the run goes: an observer of `Training` that
/// turns its progress reports, epoch records (with their `EpochProbe`) and result into events in
/// one folder. Steps are batches trained since the run began (`BatchProgress.step`), so every
/// figure shares one x-axis.
///
/// A resumed run continues its own folder: a tag's value is written only at steps past the last
/// one the folder already holds for it, so a run stopped and resumed, even killed after a flush
/// and resumed from an earlier checkpoint, has no step twice (a resumed run repeats the numbers of
/// the steps it trains again, bit for bit, so nothing is lost by skipping them).
public final class TrainingLog: TrainingObserver, @unchecked Sendable {
    /// The scalar tags, one home for each name.
    public enum Tag {
        public static let trainLoss = "train/loss"
        public static let trainAccuracy = "train/accuracy"
        public static let epochLoss = "train/epoch_loss"
        public static let epochAccuracy = "train/epoch_accuracy"
        public static let learningRate = "train/learning_rate"
        public static let validationLoss = "validation/loss"
        public static let validationAccuracy = "validation/accuracy"
        public static let testLoss = "test/loss"
        public static let testAccuracy = "test/accuracy"
        /// Per layer (`layer1`...; `output` for the output layer): the probe's figures and the histograms.
        public static func layer(_ index: Int, of count: Int, _ name: String) -> String {
            (index == count - 1 ? "output" : "layer\(index + 1)") + "/" + name
        }
    }

    public let folder: String
    private let writer: EventFileWriter
    private let batchesPerEpoch: Int
    private let clock: () -> Date
    /// The last step each tag already has in the folder (a resumed run's earlier events).
    private var written: [String: Int]
    private var lastFlush: Date
    private var lastStep = 0
    /// The first write that failed; the log stops there, and the run goes on.
    public private(set) var failure: TensorBoardLogError?

    private static let recent =
        "Mean over the \(Training.batchesPerProgressReport) batches since the previous point (fewer at an epoch's end)."

    /// Held-out images each epoch's layer figures and histograms are measured on (`Training(probeImages:)`):
    /// a few hundred give shares and norms to a percent, for one small pass an epoch.
    public static let probeImages = 256

    /// How often a run's events reach the file between epochs, so TensorBoard shows it live.
    public static let flushInterval: TimeInterval = 5

    /// Opens a log of `training` in `folder`. A run that is not `resuming` refuses a folder that
    /// already holds events (another run's). Writes the run's settings (the HParams session and a
    /// table) and `commandLine`, as a text summary.
    public init(
        folder: String, training: Training, commandLine: String, resuming: Bool, host: String,
        clock: @escaping () -> Date = Date.init
    ) throws(TensorBoardLogError) {
        if !resuming && !EventFileReader.eventFiles(in: folder).isEmpty { throw .folderHasLog(folder) }
        written = resuming ? try EventFileReader.lastSteps(in: folder) : [:]
        (self.folder, self.clock, batchesPerEpoch) = (folder, clock, training.batches.batchCount)
        let now = clock()
        writer = try EventFileWriter(folder: folder, host: host, time: now)
        lastFlush = now
        let settings = HParams.values(training.config).map { "| \($0.name) | \($0.value.text) |" }
        write(
            step: 0,
            [
                TensorBoardEvent.text("run/command", "    " + commandLine),
                TensorBoardEvent.text(
                    "run/settings", (["| setting | value |", "|---|---|"] + settings).joined(separator: "\n")),
                HParams.sessionStart(training.config, time: now)
            ], tags: ["run/command", "run/settings", "_hparams_/session_start_info"])
        flush()
    }

    public func batchFinished(_ progress: BatchProgress) {
        write(
            step: progress.step,
            [
                TensorBoardEvent.scalar(Tag.trainLoss, progress.recentLoss, description: Self.recent),
                TensorBoardEvent.scalar(Tag.trainAccuracy, progress.recentAccuracy, description: Self.recent),
                TensorBoardEvent.scalar(Tag.learningRate, progress.learningRate)
            ], tags: [Tag.trainLoss, Tag.trainAccuracy, Tag.learningRate])
        // Not at an epoch's last batch: its epoch figures, at the same step, go with it.
        if progress.batch < progress.batchesPerEpoch && clock().timeIntervalSince(lastFlush) >= Self.flushInterval {
            flush()
        }
    }

    public func epochFinished(_ record: EpochRecord) {
        let step = record.epoch * batchesPerEpoch
        var values: [(String, ProtobufMessage)] = []
        func scalar(_ tag: String, _ value: Double?) {
            if let value { values.append((tag, TensorBoardEvent.scalar(tag, value))) }
        }
        scalar(Tag.epochLoss, record.trainLoss)
        scalar(Tag.epochAccuracy, record.trainAccuracy)
        scalar(Tag.validationLoss, record.validationLoss)
        scalar(Tag.validationAccuracy, record.validationAccuracy)
        if let probe = record.probe {
            let count = probe.histograms.count
            for (l, layer) in probe.layers.enumerated() {
                scalar(Tag.layer(l, of: count, "gradient_norm"), layer.gradientNorm)
                scalar(Tag.layer(l, of: count, "dead_fraction"), layer.deadFraction)
                scalar(Tag.layer(l, of: count, "saturated_fraction"), layer.saturatedFraction)
                scalar(Tag.layer(l, of: count, "mean_activation"), layer.meanActivation)
            }
            for (l, layer) in probe.histograms.enumerated() {
                let named = [
                    ("weights", layer.weights), ("pre_activations", layer.preActivations),
                    ("activations", layer.activations)
                ]
                for case (let name, let histogram?) in named where histogram.count > 0 {
                    let tag = Tag.layer(l, of: count, name)
                    values.append((tag, TensorBoardEvent.histogram(tag, histogram)))
                }
            }
        }
        write(step: step, values.map(\.1), tags: values.map(\.0))
        flush()
    }

    /// The end of a run: its test figures (nil for a run that failed, with `failure` saying why),
    /// the HParams session's status, everything flushed.
    public func finished(epochs: Int, test: (accuracy: Double, loss: Double)?, failure reason: String? = nil) {
        let step = max(lastStep, epochs * batchesPerEpoch)
        var values: [(String, ProtobufMessage)] = []
        if let test {
            values.append((Tag.testAccuracy, TensorBoardEvent.scalar(Tag.testAccuracy, test.accuracy)))
            values.append((Tag.testLoss, TensorBoardEvent.scalar(Tag.testLoss, test.loss)))
        }
        if let reason { values.append(("run/failure", TensorBoardEvent.text("run/failure", reason))) }
        values.append(("_hparams_/session_end_info", HParams.sessionEnd(succeeded: test != nil, time: clock())))
        write(step: step, values.map(\.1), tags: values.map(\.0))
        flush()
    }

    /// Writes what is gathered (a run interrupted, a turn over): TensorBoard shows it.
    public func flush() {
        guard failure == nil else { return }
        do {
            try writer.flush()
        } catch {
            failure = error
        }
        lastFlush = clock()
    }

    /// One event of the `values` whose tags have no value at `step` or later yet.
    private func write(step: Int, _ values: [ProtobufMessage], tags: [String]) {
        guard failure == nil else { return }
        lastStep = max(lastStep, step)
        let fresh = zip(values, tags).filter { step > written[$0.1] ?? -1 }
        guard !fresh.isEmpty else { return }
        for (_, tag) in fresh { written[tag] = step }
        writer.append(TensorBoardEvent.summary(fresh.map(\.0), step: step, time: clock()))
    }

    /// Writes the HParams experiment of an ablation's `configs` into `folder`, whose sub-folders
    /// `cells` (relative paths, one per config) hold the cells' logs; once: a folder that has the
    /// same experiment keeps it (the same ablation, resumed). A folder holding any other log, or
    /// another ablation's experiment, is refused.
    public static func writeExperiment(
        folder: String, configs: [TrainingConfig], cells: [String], description: String, host: String,
        time: Date = Date()
    ) throws(TensorBoardLogError) {
        let experiment = HParams.experiment(configs, description: description, time: time)
        let ours = Set(cells)
        let strangers = logFolders(under: folder).filter { !ours.contains($0) }
        var existing: [[UInt8]] = []
        for file in EventFileReader.eventFiles(in: folder) {
            existing += try EventFileReader.records(ofFile: file).filter { ProtobufFields($0).has(5) }
        }
        guard strangers.isEmpty, existing.allSatisfy({ HParams.sameExperiment($0, experiment) }) else {
            throw .folderHasLog(folder)
        }
        guard existing.isEmpty else { return }
        let writer = try EventFileWriter(folder: folder, host: host, time: time)
        writer.append(TensorBoardEvent.summary([experiment], step: 0, time: time))
        try writer.flush()
    }

    /// The sub-folders of `folder` (relative paths, at any depth) that hold event files.
    static func logFolders(under folder: String) -> [String] {
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return Set(
            files.filter { $0.contains("/") && ($0 as NSString).lastPathComponent.contains("tfevents") }
                .map { ($0 as NSString).deletingLastPathComponent }
        ).sorted()
    }
}
