import Dataset
import Foundation
import Model

/// How training progress reaches the terminal.
enum ProgressStyle {
    /// A live bar on standard error (interactive terminals).
    case bar
    /// One plain line per epoch (pipes, logs, CI).
    case lines
    /// One JSON object per line (scripts).
    case json
    /// Only the final result.
    case quiet
}

/// The terminal observer of a training run.
final class ProgressReporter: TrainingObserver {
    let style: ProgressStyle
    private var lastDraw = 0.0
    private var epochStart = 0.0

    init(style: ProgressStyle) {
        self.style = style
    }

    private func out(_ line: String) {
        print(line)
        fflush(nil)
    }

    func note(_ line: String) {
        if style != .json { Terminal.error(line) }
    }

    func header(
        dataset: TrainAndTest, config: TrainingConfig, architecture: Architecture, threads: Int, resumed: TrainingState?
    ) {
        guard style == .bar || style == .lines else { return }
        out(
            "data: \(dataset.kind.rawValue), \(dataset.train.count) training images (\(config.validationCount) held out for validation), \(dataset.test.count) test images of \(dataset.train.rows)x\(dataset.train.cols)"
        )
        out(
            "model: \(architecture.summary), \(MLP<Float>.parameterCount(of: architecture)) parameters; \(config.optimizerSummary), lr \(config.effectiveLearningRate), batch \(config.batchSize), schedule \(config.schedule.spec), seed \(config.seed)\(config.augmentation.isNone ? "" : ", augmentation \(config.augmentation.spec)")\(config.dropout > 0 ? ", dropout \(config.dropout)" : ""); \(GEMMLibrary.current.description)\(config.precision == .bf16 ? ", bf16 products (fp32 accumulation and weights)" : ""), \(threads) thread\(threads == 1 ? "" : "s")"
        )
        if let resumed {
            out(
                resumed.partialEpoch.batches > 0
                    ? "resuming in epoch \(resumed.epochsCompleted + 1) after batch \(resumed.partialEpoch.batches)"
                    : "resuming after epoch \(resumed.epochsCompleted)")
        }
    }

    func epochStarted(epoch: Int, of total: Int, batches: Int) {
        epochStart = Date().timeIntervalSinceReferenceDate
    }

    func batchFinished(_ progress: BatchProgress) {
        if style == .json {
            out(
                jsonLine(
                    [
                        "event": "batch", "epoch": progress.epoch, "batch": progress.batch,
                        "batches": progress.batchesPerEpoch, "step": progress.step, "loss": progress.loss,
                        "accuracy": progress.accuracy, "recent_loss": progress.recentLoss,
                        "recent_accuracy": progress.recentAccuracy, "learning_rate": progress.learningRate,
                        "samples_per_second": progress.samplesPerSecond
                    ] as [String: Any]))
            return
        }
        guard style == .bar else { return }
        let (batch, total) = (progress.batch, progress.batchesPerEpoch)
        let now = Date().timeIntervalSinceReferenceDate
        guard now - lastDraw > 0.1 || batch == total else { return }
        lastDraw = now
        let width = 24
        let filled = width * batch / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let eta = (now - epochStart) / Double(batch) * Double(total - batch)
        let line = String(
            format: "\r\u{1B}[2Kepoch %d %@ %d/%d  loss %.4f  acc %.2f%%  %.0f samples/s  ETA %.0fs",
            progress.epoch, bar, batch, total, progress.loss, progress.accuracy * 100, progress.samplesPerSecond, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func epochFinished(_ record: EpochRecord) {
        switch style {
        case .bar, .lines:
            if style == .bar { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            var line = String(
                format: "epoch %d  train loss %.4f acc %.2f%%", record.epoch, record.trainLoss,
                record.trainAccuracy * 100)
            if let loss = record.validationLoss, let acc = record.validationAccuracy {
                line += String(format: "  val loss %.4f acc %.2f%%", loss, acc * 100)
            }
            line += String(format: "  %.2fs (%.0f samples/s)", record.seconds, record.samplesPerSecond)
            out(line)
        case .json:
            out(jsonLine(["event": "epoch", "record": record]))
        case .quiet:
            break
        }
    }

    /// A run stopped by a signal and saved to `path`, with the command that continues it.
    func interrupted(savedTo path: String, state: TrainingState, resume command: String) {
        let place =
            state.partialEpoch.batches > 0
            ? "batch \(state.partialEpoch.batches) of epoch \(state.epochsCompleted + 1)"
            : "epoch \(state.epochsCompleted)"
        if style == .json {
            out(
                jsonLine(
                    [
                        "event": "interrupted", "model": path, "epochs_completed": state.epochsCompleted,
                        "batches_into_epoch": state.partialEpoch.batches, "resume": command
                    ] as [String: Any]))
        }
        if style == .bar { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        Terminal.error("saved the run as it stood after \(place) to \(path); continue it with: \(command)")
    }

    /// `views`: how many views of each test image were averaged (1: the image alone).
    func finished(test: Evaluation, views: Int = 1, savedTo path: String, stoppedEarly: Bool, epochs: Int) {
        if style == .json {
            out(
                jsonLine(
                    [
                        "event": "result", "test_accuracy": test.accuracy, "test_loss": test.loss, "test_views": views,
                        "epochs": epochs,
                        "stopped_early": stoppedEarly, "model": path
                    ] as [String: Any]))
            return
        }
        if stoppedEarly { out("stopped early after epoch \(epochs): validation loss stopped improving") }
        out(
            String(
                format: "test accuracy %.2f%% (loss %.4f%@); model saved to %@", test.accuracy * 100, test.loss,
                views > 1 ? "; mean over \(views) views of each image" : "", path))
    }
}

/// One compact JSON object on one line; `Encodable` values are encoded first.
func jsonLine(_ fields: [String: Any]) -> String {
    var object: [String: Any] = [:]
    for (key, value) in fields {
        if let encodable = value as? any Encodable, !(value is String), !(value is Double), !(value is Int),
            !(value is Bool),
            let data = try? JSONEncoder().encode(encodable), let parsed = try? JSONSerialization.jsonObject(with: data)
        {
            object[key] = parsed
        } else {
            object[key] = value
        }
    }
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}
