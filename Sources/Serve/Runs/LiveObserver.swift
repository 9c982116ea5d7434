import Dataset
import Foundation
import Model

/// The playground's observer of `Training.run`: counts the batches of a slice, keeps the training
/// loss and accuracy since the last report, and several times a second measures `LiveFigures` on
/// the probe images (on the training thread, between two steps, so the weights hold still) and
/// hands the event and a copy of the weights (nil for an epoch record) to `publish`.
///
/// The measurement costs one forward and backward pass over the probe images on one thread: for a
/// 784-256-128 network a few milliseconds, for 1024-1024 over ten. So it is taken at most every
/// `interval` seconds and only while the time spent on it stays under `budget` of the time trained:
/// small networks are drawn several times a second, large ones as often as 3% of their time allows.
final class LiveObserver: TrainingObserver {
    private let run: PlaygroundRun
    private let probe: LiveProbe
    private let interval: Double
    private let publish: (RunEvent, MLP<Float>?) -> Void
    /// Batches trained in this slice.
    private(set) var batches = 0
    private let started = DispatchTime.now().uptimeNanoseconds
    private var lastReport = DispatchTime.now().uptimeNanoseconds
    /// Nanoseconds spent measuring and publishing.
    private var spent: UInt64 = 0
    static let budget = 0.03
    private var window = (loss: 0.0, correct: 0, examples: 0)
    private var last: BatchOutcome?

    init(
        run: PlaygroundRun, probe: LiveProbe, interval: Double, publish: @escaping (RunEvent, MLP<Float>?) -> Void
    ) {
        (self.run, self.probe, self.interval, self.publish) = (run, probe, interval, publish)
    }

    func batchTrained(_ batch: BatchOutcome, state: TrainingState) {
        batches += 1
        window.loss += batch.lossSum
        window.correct += batch.correct
        window.examples += batch.examples
        last = batch
        let now = DispatchTime.now().uptimeNanoseconds
        guard interval > 0, Double(now - lastReport) / 1e9 >= interval,
            Double(spent) <= Self.budget * Double(now - started)
        else { return }
        publish(.live(run: run.id, liveRecord(state)), state.model)
        spent += DispatchTime.now().uptimeNanoseconds - now
    }

    func epochFinished(_ record: EpochRecord) {
        publish(.epoch(run: run.id, record: record), nil)
    }

    /// The live figures of `state` now: the training loss and accuracy since the last report, the
    /// speed, and `LiveFigures` on the probe images.
    func liveRecord(_ state: TrainingState) -> LiveRecord {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - lastReport) / 1e9
        let figures = probe.measure(state.model)
        let measured = Double(DispatchTime.now().uptimeNanoseconds - now) / 1e9
        // Inside an epoch the state's counters stand still until it ends; the last batch says where training is.
        let (epoch, batch) =
            last.map { ($0.epoch, $0.batch) } ?? (
                state.epochsCompleted + (state.partialEpoch.batches > 0 ? 1 : 0), state.partialEpoch.batches
            )
        var record = LiveRecord(
            epoch: epoch, batch: batch, epochs: run.request.config.epochs, progress: Double(state.epochsCompleted),
            probe: ProbeRecord(figures), measureSeconds: measured)
        if let last {
            record.batches = last.batchesPerEpoch
            record.learningRate = last.learningRate.finite
            record.progress = Double(last.epoch - 1) + Double(last.batch) / Double(last.batchesPerEpoch)
        }
        if window.examples > 0 {
            record.trainLoss = (window.loss / Double(window.examples)).finite
            record.trainAccuracy = Double(window.correct) / Double(window.examples)
            record.samplesPerSecond = Double(window.examples) / max(seconds, 1e-9)
        }
        window = (0, 0, 0)
        lastReport = DispatchTime.now().uptimeNanoseconds
        return record
    }
}
