import Dataset
import Foundation
import Model
import Testing

/// What the paper studies measure beyond a plain run: the training loss with dropout off, and
/// each layer's outputs through the first epoch.
@Suite struct StudyMeasurementTests {
    /// 400 examples of 4 pixels whose label depends on them, so training has something to learn.
    static let data: DigitDataset = {
        let pixels: [Float] = (0..<1600).map { i in Float((i * 7 + i / 4) % 11) / 11 }
        let labels: [UInt8] = (0..<400).map { i in UInt8(i % 10) }
        return DigitDataset(pixels: pixels, labels: labels, rows: 2, cols: 2)
    }()

    static func config(dropout: Double) -> TrainingConfig {
        var config = TrainingConfig()
        (config.hidden, config.activations, config.dropout) = ([16, 8], [.relu], dropout)
        (config.epochs, config.batchSize, config.validationCount) = (1, 400, 0)
        return config
    }

    /// Measuring the whole network's loss changes no weight, and with one batch the figure is the
    /// initial network's own loss on the training set (the loss before the step, dropout off).
    @Test func lossWithoutDropoutIsTheWholeNetworksBeforeTheStep() throws {
        let config = Self.config(dropout: 0.5)
        let plain = Training(config: config, trainSet: Self.data)
        let measured = Training(config: config, trainSet: Self.data, lossWithoutDropout: true)
        var (a, b) = (plain.initialState(), measured.initialState())
        let initial = b.model
        try plain.run(&a)
        try measured.run(&b)
        #expect(a.model.parameters == b.model.parameters)
        let whole = Evaluation(model: initial, data: Self.data)
        let recorded = try #require(b.history.first)
        let gap: Double = abs(recorded.trainLoss - whole.loss)
        #expect(gap <= 1e-6 * whole.loss, "\(recorded.trainLoss) vs \(whole.loss)")
        #expect(abs(recorded.trainAccuracy - whole.accuracy) < 1e-12)
        // The thinned network trained on the batch scores it worse: the plain figure differs.
        #expect(a.history[0].trainLoss != recorded.trainLoss)
        // Without dropout there is nothing to switch off: the same record either way.
        var (c, d) = (
            Training(config: Self.config(dropout: 0), trainSet: Self.data).initialState(),
            Training(config: Self.config(dropout: 0), trainSet: Self.data, lossWithoutDropout: true).initialState()
        )
        try Training(config: Self.config(dropout: 0), trainSet: Self.data).run(&c)
        try Training(config: Self.config(dropout: 0), trainSet: Self.data, lossWithoutDropout: true).run(&d)
        #expect(c.history[0].trainLoss == d.history[0].trainLoss)
    }

    /// Zero weights give every sigmoid unit the output 0.5 on every image: mean 0.5, spread 0.
    @Test func aTraceOfZeroWeightsIsExactlyAHalf() {
        let architecture = Architecture(
            inputs: 4, hidden: [8, 8, 8], activations: [.sigmoid, .sigmoid, .sigmoid], outputs: 10)
        var model = MLP<Float>(architecture: architecture, seed: 1)
        model.parameters = [Float](repeating: 0, count: model.parameters.count)
        let tracer = ActivationTracer(architecture: architecture, probe: Self.data.subset(0..<50), points: 4)
        tracer.start(model)
        #expect(tracer.snapshots.count == 1)
        #expect(tracer.snapshots[0].step == 0)
        #expect(
            tracer.snapshots[0].layers
                == Array(repeating: ActivationSnapshot.Moments(mean: 0.5, standardDeviation: 0), count: 3))
    }

    /// An ablation cell of a tracing plan carries the initial snapshot and `points` more through
    /// the first epoch, the last after its last batch; a plain plan carries none.
    @Test func aTracingPlansCellsCarryTheFirstEpoch() throws {
        var base = TrainingConfig()
        (base.hidden, base.epochs, base.batchSize, base.validationCount) = ([8, 8], 2, 10, 100)
        var plan = AblationPlan(
            activations: [.sigmoid], seeds: [1], base: base, dataset: "test", inputs: 4, classes: 10)
        let data = TrainAndTest(kind: .mnist, train: Self.data, test: Self.data.subset(0..<100))
        #expect(Ablation.run(plan.cells[0], plan: plan, data: data).result.activationTrace == nil)
        plan.traceSnapshots = 6
        let trace = try #require(Ablation.run(plan.cells[0], plan: plan, data: data).result.activationTrace)
        // 300 training images in batches of 10: 30 batches, a snapshot every 5.
        let steps: [Int] = trace.map { $0.step }
        #expect(steps == [0, 5, 10, 15, 20, 25, 30])
        let moments: [ActivationSnapshot.Moments] = trace.flatMap { $0.layers }
        #expect(moments.count == 2 * trace.count)
        #expect(moments.allSatisfy { m in m.mean > 0 && m.mean < 1 && m.standardDeviation >= 0 })
        #expect(trace.first != trace.last)
    }
}
