import Dataset
import Foundation
import Model
import Testing
import TestSupport

@testable import Report

/// TensorBoard logs as files: the checksum, the framing read back and checked, a damaged record
/// refused, the probe changing nothing, and a resumed log without a step twice. TensorBoard's own
/// reader checks the same files in TrainerTests/TensorBoardCLITests.
@Suite struct TensorBoardTests {
    @Test func crc32cMatchesTheStandardAndTensorFlowsMask() {
        // The check value of CRC-32C, and masked values computed by tensorboard's own Python code.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.masked([UInt8]()) == 0xA282_EAD8)
        #expect(CRC32C.masked(Array("digit-trainer".utf8)) == 0x3AC3_FCD0)
    }

    /// A small real run, logged: 2 epochs of a 16-unit ReLU network on 2,000 MNIST images.
    static func loggedRun(in folder: String, epochs: Int = 2) throws -> (Training, TrainingState) {
        let data = try #require(sharedMNIST)
        var config = TrainingConfig()
        (config.hidden, config.epochs, config.validationCount) = ([16], epochs, 500)
        let training = Training(config: config, trainSet: data.train.subset(0..<2000), probeImages: 100)
        var state = training.initialState()
        let log = try TrainingLog(
            folder: folder, training: training, commandLine: "test", resuming: false, host: "test")
        try training.run(&state, observer: log)
        log.finished(epochs: state.epochsCompleted, test: (0.9, 0.3))
        #expect(log.failure == nil)
        return (training, state)
    }

    @Test func recordsReadBackAndADamagedOneIsRefused() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (training, _) = try Self.loggedRun(in: folder)
        let files = EventFileReader.eventFiles(in: folder)
        #expect(files.count == 1 && files[0].contains("/events.out.tfevents.") && files[0].hasSuffix(".test"))
        let records = try EventFileReader.records(ofFile: files[0])
        let steps = try EventFileReader.lastSteps(in: folder)
        let batches = training.batches.batchCount
        #expect(steps[TrainingLog.Tag.trainLoss] == 2 * batches)
        #expect(steps[TrainingLog.Tag.validationAccuracy] == 2 * batches)
        #expect(steps[TrainingLog.Tag.testAccuracy] == 2 * batches)
        #expect(steps["layer1/dead_fraction"] == 2 * batches && steps["output/weights"] == 2 * batches)
        #expect(steps["_hparams_/session_start_info"] == 0 && steps["_hparams_/session_end_info"] == 2 * batches)

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: files[0])))
        // One byte inside the third record's data: the record fails its CRC.
        let third = records[0].count + 16 + records[1].count + 16
        bytes[third + 12 + 3] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: files[0]))
        #expect(throws: TensorBoardLogError.corrupt(files[0], offset: third)) {
            try EventFileReader.records(ofFile: files[0])
        }
        // A file cut inside its last record (a writer killed mid-write) reads up to that record.
        bytes[third + 12 + 3] ^= 0x01
        try Data(bytes.dropLast(5)).write(to: URL(fileURLWithPath: files[0]))
        #expect(try EventFileReader.records(ofFile: files[0]).count == records.count - 1)
    }

    @Test func aNewRunRefusesAnotherRunsLog() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (training, _) = try Self.loggedRun(in: folder, epochs: 1)
        #expect(throws: TensorBoardLogError.folderHasLog(folder)) {
            try TrainingLog(folder: folder, training: training, commandLine: "", resuming: false, host: "test")
        }
    }

    /// A run killed after its log's second epoch was flushed but before its checkpoint was saved
    /// resumes from the first epoch's: it trains the second again and logs no step twice.
    @Test func aResumedRunContinuesItsLogWithoutAStepTwice() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = try #require(sharedMNIST)
        var config = TrainingConfig()
        (config.hidden, config.epochs, config.validationCount) = ([16], 3, 500)
        let training = Training(config: config, trainSet: data.train.subset(0..<2000), probeImages: 100)
        var state = training.initialState()
        var checkpoint: TrainingState?
        let first = try TrainingLog(folder: folder, training: training, commandLine: "", resuming: false, host: "test")
        var epochs = 0
        try training.run(&state, observer: first, shouldStop: { epochs == 2 }) {
            epochs = $0.epochsCompleted
            if $0.epochsCompleted == 1 { checkpoint = $0 }
        }
        var resumed = try #require(checkpoint)
        // Made in the same second as the first: the name gets a suffix, the first file stays.
        let second = try TrainingLog(folder: folder, training: training, commandLine: "", resuming: true, host: "test")
        try training.run(&resumed, observer: second)
        second.finished(epochs: resumed.epochsCompleted, test: (0.9, 0.3))
        let files = EventFileReader.eventFiles(in: folder)
        #expect(files.count == 2)

        var stepsOf: [String: [Int]] = [:]
        for file in files {
            for record in try EventFileReader.records(ofFile: file) {
                let event = ProtobufFields(record)
                for summary in event.messages(5) {
                    for value in ProtobufFields(summary).messages(1) {
                        let tag = String(decoding: ProtobufFields(value).messages(1)[0], as: UTF8.self)
                        stepsOf[tag, default: []].append(event.integer(2) ?? 0)
                    }
                }
            }
        }
        let batches = training.batches.batchCount
        #expect(stepsOf[TrainingLog.Tag.validationLoss] == [1, 2, 3].map { $0 * batches })
        #expect(stepsOf["_hparams_/session_start_info"] == [0])
        for (tag, steps) in stepsOf {
            #expect(zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 }, "\(tag): \(steps)")
        }
        #expect(stepsOf[TrainingLog.Tag.trainLoss]?.last == 3 * batches)
    }

    /// Collects every progress report.
    final class Reports: TrainingObserver {
        var all: [BatchProgress] = []
        func batchFinished(_ progress: BatchProgress) { all.append(progress) }
    }

    /// `train/loss` is the mean since the previous report; a run interrupted between two reports
    /// and resumed reports what an unbroken one does.
    @Test func progressReportsSurviveAnInterruptionBetweenThem() throws {
        let data = try #require(sharedMNIST)
        var config = TrainingConfig()
        (config.hidden, config.epochs, config.validationCount) = ([16], 1, 500)
        let training = Training(config: config, trainSet: data.train.subset(0..<3000))
        let (straight, broken) = (Reports(), Reports())
        var state = training.initialState()
        try training.run(&state, observer: straight)
        var interrupted = training.initialState()
        var batches = 0
        try training.run(
            &interrupted, observer: broken,
            shouldStop: {
                batches += 1
                return batches == 20
            })
        #expect(interrupted.partialEpoch.batches == 20)
        try training.run(&interrupted, observer: broken)
        func figures(_ r: Reports) -> [[Double]] {
            r.all.map { [Double($0.step), $0.loss, $0.accuracy, $0.recentLoss, $0.recentAccuracy, $0.learningRate] }
        }
        #expect(figures(broken) == figures(straight))
        // The first report's window is its 16 batches; the mean since then differs from the epoch's.
        #expect(straight.all[1].recentLoss != straight.all[1].loss)
    }

    /// Keeps the records observers are handed.
    final class Records: TrainingObserver {
        var all: [EpochRecord] = []
        func epochFinished(_ record: EpochRecord) { all.append(record) }
    }

    @Test func theProbeChangesNoWeightAndItsHistogramsGoToObserversOnly() throws {
        let data = try #require(sharedMNIST)
        var config = TrainingConfig()
        (config.hidden, config.activations, config.epochs, config.validationCount) = ([24, 16], [.tanh], 2, 500)
        var weights: [[Float]] = []
        for images in [0, 200] {
            let training = Training(config: config, trainSet: data.train.subset(0..<2000), probeImages: images)
            var state = training.initialState()
            let records = Records()
            try training.run(&state, observer: records)
            weights.append(state.model.parameters)
            #expect((records.all.last?.probe != nil) == (images > 0))
            #expect(state.history.map(\.probe?.layers) == records.all.map(\.probe?.layers))
            #expect(state.history.allSatisfy { $0.probe?.histograms.isEmpty ?? true })
            if let probe = records.all.last?.probe {
                #expect(probe.images == 200 && probe.layers.count == 2 && probe.histograms.count == 3)
                #expect(probe.histograms[0].weights.count == 784 * 24)
                #expect(probe.histograms[1].activations?.count == 200 * 16)
                #expect(probe.histograms[2].preActivations == nil)
                // tanh: outputs in [-1, 1], of both signs.
                let activations = try #require(probe.histograms[0].activations)
                #expect(activations.min >= -1 && activations.max <= 1 && activations.min < 0)
            }
        }
        #expect(weights[0] == weights[1])
    }

    @Test func histogramsCountEveryFiniteValue() {
        let h = Histogram([0, 1, 2, 3, .nan, 4, .infinity], buckets: 4)
        #expect(h.count == 5 && h.nonFinite == 2 && h.min == 0 && h.max == 4 && h.sum == 10 && h.sumOfSquares == 30)
        #expect(h.bucketLimits == [1, 2, 3, 4] && h.bucketCounts == [1, 1, 1, 2])
        let flat = Histogram([2, 2, 2])
        #expect(flat.bucketLimits == [2] && flat.bucketCounts == [3])
        #expect(Histogram([Float.nan]).count == 0)
    }
}
