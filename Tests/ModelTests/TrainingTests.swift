import Dataset
import Foundation
import Model
import Testing
import TestSupport

/// Training suites share two cores: run them one at a time.
@Suite(.serialized) struct TrainingTests {
    static func smallConfig(epochs: Int, activation: Activation = .relu) -> TrainingConfig {
        var config = TrainingConfig()
        config.hidden = [64, 32]
        config.activations = [activation]
        config.epochs = epochs
        config.validationCount = 500
        config.seed = 11
        config.schedule = .constant  // a cosine run's schedule depends on the total epochs
        return config
    }

    @Test func oneEpochOnTenThousandImagesLearns() throws {
        guard let data = sharedMNIST else { return }
        var config = TrainingConfig()
        config.epochs = 1
        config.validationCount = 1000
        let training = Training(config: config, trainSet: data.train.subset(0..<10_000))
        var state = training.initialState()
        try training.run(&state)
        let test = Evaluation(model: state.model, data: data.test)
        #expect(test.accuracy >= 0.90, "test accuracy \(test.accuracy)")
        #expect(state.history.count == 1 && state.history[0].validationAccuracy! > 0.85)
    }

    @Test func sameSeedSameWeightsAndResumeIsExact() throws {
        guard let data = sharedMNIST else { return }
        let subset = data.train.subset(0..<3000)
        let straight = Training(config: Self.smallConfig(epochs: 3), trainSet: subset)
        var a = straight.initialState(), b = straight.initialState()
        try straight.run(&a)
        try straight.run(&b)
        #expect(a.model.parameters == b.model.parameters)

        var other = Self.smallConfig(epochs: 3)
        other.seed = 12
        let differentSeed = Training(config: other, trainSet: subset)
        var c = differentSeed.initialState()
        try differentSeed.run(&c)
        #expect(c.model.parameters != a.model.parameters)

        // 2 epochs, save, load, 1 more: bit-identical to 3 straight.
        let first = Training(config: Self.smallConfig(epochs: 2), trainSet: subset)
        var partial = first.initialState()
        try first.run(&partial)
        let path = temporaryFolder() + "/partial.safetensors"
        try Checkpoint(config: first.config, state: partial, dataset: "mnist", datasetSHA256: data.sha256).write(
            to: path)
        let loaded = try Checkpoint(contentsOf: path)
        var config = loaded.config
        config.epochs = 3
        var resumed = loaded.state
        try Training(config: config, trainSet: subset).run(&resumed)
        #expect(resumed.epochsCompleted == 3)
        #expect(resumed.model.parameters == a.model.parameters)
        #expect(resumed.optimizer.velocity == a.optimizer.velocity)
    }

    /// A run that averages its weights validates, tests and saves the average (what other programs
    /// read as `layers.*`), keeps the weights it trains apart, and the average is not the weights.
    @Test func anAveragedRunTestsAndSavesItsAverage() throws {
        guard let data = sharedMNIST else { return }
        var config = Self.smallConfig(epochs: 2)
        config.averageDecay = 0.99
        let run = TrainingRun(
            config: config, data: data, trainSet: data.train.subset(0..<3000), clock: nil)
        var state = run.training.initialState()
        guard case .tested(let checkpoint, let test) = try run.run(&state) else {
            Issue.record("the run did not finish")
            return
        }
        #expect(state.optimizer.average.count == state.model.parameters.count)
        #expect(state.optimizer.average != state.model.parameters)
        #expect(checkpoint.model.parameters == state.optimizer.average)
        let averaged = Evaluation(model: checkpoint.model, data: data.test)
        #expect(test.accuracy == averaged.accuracy && test.loss == averaged.loss)
        #expect(Evaluation(model: state.model, data: data.test).loss != test.loss)
        let validation = data.train.subset(run.training.split.validation)
        #expect(state.history.last?.validationLoss == Evaluation(model: checkpoint.model, data: validation).loss)

        // The file: the average as the model, the trained weights beside it; read back whole.
        let bytes = try checkpoint.encoded()
        let loaded = try Checkpoint(bytes: bytes, path: "averaged.safetensors")
        #expect(loaded.model.parameters == state.optimizer.average)
        #expect(loaded.state.model.parameters == state.model.parameters)
        #expect(loaded.state.optimizer.average == state.optimizer.average)
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = try #require(
            try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any])
        #expect(header.keys.contains("optimizer.weights.layers.0.weight") && header.keys.contains("layers.0.weight"))
    }

    @Test func divergenceIsReportedNotTrainedOn() throws {
        guard let data = sharedMNIST else { return }
        var config = Self.smallConfig(epochs: 1)
        config.learningRate = 1e4
        let training = Training(config: config, trainSet: data.train.subset(0..<2000))
        var state = training.initialState()
        #expect {
            try training.run(&state)
        } throws: { error in
            guard case TrainingError.nonFinite(let epoch, _, let lr, _) = error else { return false }
            // The library says what happened; advice in terms of flags is the CLI's to give.
            return epoch == 1 && lr == 1e4 && "\(error)".contains("learning rate 10000") && !"\(error)".contains("--")
        }
        #expect(state.epochsCompleted == 0)
        // A schedule's rate is read as a person writes it.
        #expect(
            [9.999_879_904_159_506, 10_000, 0.012_345_6, 0.05, 1e-5].map { $0.rounded(significantDigits: 3).shortText }
                == ["10", "10000", "0.0123", "0.05", "1e-05"])
    }

    /// 200 images and a wide layer overfit within a few epochs: the validation loss turns up, and
    /// patience stops the run that many epochs after its best.
    @Test func patienceStopsWhenValidationStopsImproving() throws {
        guard let data = sharedMNIST else { return }
        var config = Self.smallConfig(epochs: 40)
        config.hidden = [256]
        config.validationCount = 100
        config.learningRate = 0.3
        config.patience = 3
        let training = Training(config: config, trainSet: data.train.subset(0..<300))
        var state = training.initialState()
        try training.run(&state)
        #expect(state.stoppedEarly && state.epochsCompleted < 40, "ran \(state.epochsCompleted) epochs")
        let losses = state.history.map { $0.validationLoss! }
        let best = losses.indices.min { losses[$0] < losses[$1] }!
        #expect(best == losses.count - 1 - 3, "stopped \(losses.count - 1 - best) epochs after the best, not 3")
        #expect(state.epochsWithoutImprovement == 3 && state.bestValidationLoss == losses[best])
    }

    /// The optimisers a resume must continue exactly: SGD, Nesterov, AdamW (both moments and the
    /// step count of its bias correction), SGD with a moving average of the weights (on smoothed
    /// labels), and AdamW in bf16 where the CPU has it.
    static let optimisers =
        ["sgd", "nesterov", "adamw", "sgd-averaged"] + (Precision.bf16.isAvailable ? ["adamw-bf16"] : [])

    @Test(arguments: [Schedule.constant, .step(every: 1, factor: 0.5), .cosine], optimisers)
    func interruptedAndResumedEqualsUninterrupted(_ schedule: Schedule, optimiser: String) throws {
        guard let data = sharedMNIST else { return }
        var config = Self.smallConfig(epochs: 3)
        (config.schedule, config.batchSize, config.validationCount) = (schedule, 50, 200)
        config.nesterov = optimiser == "nesterov"
        if optimiser.hasPrefix("adamw") { (config.optimizer, config.weightDecay) = (.adam, 0.01) }
        if optimiser.hasSuffix("bf16") { config.precision = .bf16 }
        if optimiser.hasSuffix("averaged") { (config.averageDecay, config.labelSmoothing) = (0.99, 0.1) }
        let training = Training(config: config, trainSet: data.train.subset(0..<1700))
        var straight = training.initialState()
        #expect(try training.run(&straight) == .finished)

        // Stop after the 17th batch, and again 40 batches later (in the next epoch), each time
        // through a checkpoint's bytes, as a resumed process would.
        var state = training.initialState()
        var asked = 0
        for stopAt in [17, 40] {
            asked = 0
            #expect(
                try training.run(
                    &state,
                    shouldStop: {
                        asked += 1; return asked == stopAt
                    }) == .interrupted)
            #expect(state.partialEpoch.batches > 0)
            let bytes = try Checkpoint(config: config, state: state, dataset: "mnist", datasetSHA256: [:]).encoded()
            state = try Checkpoint(bytes: bytes, path: "resume.safetensors").state
        }
        #expect(try training.run(&state) == .finished)
        #expect(state.model.parameters == straight.model.parameters, "\(schedule), \(optimiser): weights differ")
        #expect(state.optimizer.velocity == straight.optimizer.velocity)
        #expect(state.optimizer.secondMoment == straight.optimizer.secondMoment)
        #expect(state.optimizer.steps == straight.optimizer.steps)
        #expect(state.optimizer.average == straight.optimizer.average)
        #expect(state.optimizer.average.isEmpty == (config.averageDecay == 0))
        if config.optimizer == .adam {
            #expect(state.optimizer.steps == 3 * 30 && state.optimizer.secondMoment.contains { $0 > 0 })
        }
        #expect(
            state.history.map(\.trainLoss) == straight.history.map(\.trainLoss),
            "the interrupted epochs' records are whole")
        #expect(state.history.map(\.validationLoss) == straight.history.map(\.validationLoss))
        #expect(state.partialEpoch == PartialEpoch())
    }

    @Test func deadLayerIsReportedDead() {
        let architecture = Architecture(inputs: 4, hidden: [8, 6], activations: [.relu, .sigmoid], outputs: 3)
        var model = MLP<Float>(architecture: architecture, seed: 1)
        for i in model.layers[0].bias { model.parameters[i] = -1000 }  // no unit of layer 0 can fire
        for i in model.layers[1].bias { model.parameters[i] = 50 }  // every sigmoid of layer 1 is pinned at 1
        let data = DigitDataset(
            pixels: (0..<40).map { Float($0 % 7) / 7 }, labels: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0], rows: 2, cols: 2)
        let result = Evaluation(model: model, data: data, diagnostics: true)
        #expect(result.layers[0].neverActiveFraction == 1)
        #expect(result.layers[0].meanActivation == 0)
        #expect(result.layers[1].saturatedFraction == 1)
        #expect(abs(result.layers[1].meanActivation - 1) < 1e-6)

        let healthy = Evaluation(model: MLP<Float>(architecture: architecture, seed: 1), data: data, diagnostics: true)
        #expect(healthy.layers[0].neverActiveFraction < 1)
        #expect(healthy.layers[1].saturatedFraction == 0)
    }

    /// The share of examples whose outputs all have one sign: every one for sigmoid (always
    /// positive) and ReLU (never negative), none for a tanh layer whose units sit on both sides.
    @Test func oneSignShareFollowsTheOutputsSigns() {
        let data = DigitDataset(
            pixels: (0..<40).map { Float($0 % 7) / 7 }, labels: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0], rows: 2, cols: 2)
        for (activation, expected) in [(Activation.sigmoid, 1.0), (.relu, 1.0), (.tanh, 0.0)] {
            let architecture = Architecture(inputs: 4, hidden: [6], activations: [activation], outputs: 3)
            var model = MLP<Float>(architecture: architecture, seed: 1)
            // Half the units pushed far up, half far down: tanh's outputs then have both signs on every example.
            for (k, i) in model.layers[0].bias.enumerated() { model.parameters[i] = k % 2 == 0 ? 5 : -5 }
            let result = Evaluation(model: model, data: data, diagnostics: true)
            #expect(result.layers[0].oneSignFraction == expected, "\(activation)")
        }
        // One example whose tanh outputs are all negative counts; the others, mixed, do not.
        let architecture = Architecture(inputs: 4, hidden: [2], activations: [.tanh], outputs: 3)
        var model = MLP<Float>(architecture: architecture, seed: 1)
        for i in model.layers[0].weight { model.parameters[i] = 0 }
        let (w, b) = (model.layers[0].weight, model.layers[0].bias)
        // Unit 0 follows the first pixel minus a half, unit 1 is always −1-ish: one sign only where pixel 0 < 0.5.
        model.parameters[w.lowerBound] = 10
        model.parameters[b.lowerBound] = -5
        model.parameters[b.lowerBound + 1] = -5
        let pixels: [Float] = [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]
        let four = DigitDataset(pixels: pixels, labels: [0, 1, 2, 0], rows: 2, cols: 2)
        let result = Evaluation(model: model, data: four, diagnostics: true)
        #expect(result.layers[0].oneSignFraction == 0.25)
    }
}

@Suite struct OptimiserTests {
    @Test func sgdMatchesHandComputation() {
        let architecture = Architecture(inputs: 1, hidden: [1], activations: [.relu], outputs: 2)
        var model = MLP<Float>(architecture: architecture, parameters: [2, 0, 1, 1, 0, 0])  // W0, b0, W1 (2x1), b1
        var sgd = Optimizer(parameterCount: 6, momentum: 0.5, nesterov: false, weightDecay: 0.1)
        let gradients: [Float] = [1, 1, 0, 0, 0, 0]
        gradients.withUnsafeBufferPointer { sgd.step(&model, gradients: $0, learningRate: 0.1) }
        // w: g = 1 + 0.1·2 = 1.2, v = 1.2, w = 2 − 0.12; bias: no decay, g = 1, w = −0.1; W1 decays by lr·λ·w.
        #expect(abs(model.parameters[0] - 1.88) < 1e-6)
        #expect(abs(model.parameters[1] + 0.1) < 1e-6)
        #expect(abs(model.parameters[2] - 0.99) < 1e-6)
        gradients.withUnsafeBufferPointer { sgd.step(&model, gradients: $0, learningRate: 0.1) }
        // g = 1 + 0.188 = 1.188, v = 0.6 + 1.188 = 1.788, w = 1.88 − 0.1788
        #expect(abs(model.parameters[0] - 1.7012) < 1e-5)

        var nesterov = Optimizer(parameterCount: 6, momentum: 0.5, nesterov: true)
        var m2 = MLP<Float>(architecture: architecture, parameters: [2, 0, 1, 1, 0, 0])
        gradients.withUnsafeBufferPointer { nesterov.step(&m2, gradients: $0, learningRate: 0.1) }
        // v = 1, step = g + μv = 1.5
        #expect(abs(m2.parameters[0] - 1.85) < 1e-6)
    }

    /// Adam against the formulas by hand, in Double, over three steps: both moments, the bias
    /// correction of each step, ε, and AdamW's decay on the weights but not on biases.
    @Test func adamMatchesHandComputation() {
        let architecture = Architecture(inputs: 1, hidden: [1], activations: [.relu], outputs: 2)
        let start: [Float] = [2, 0.5, 1, -1, 0, 0.25]  // W0, b0, W1 (2x1), b1 (2)
        var model = MLP<Float>(architecture: architecture, parameters: start)
        let (b1, b2, eps, lr, decay) = (0.8, 0.95, 1e-3, 0.1, 0.1)
        var adam = Optimizer(parameterCount: 6, kind: .adam, weightDecay: decay, beta1: b1, beta2: b2, epsilon: eps)
        let steps: [[Double]] = [[1, -2, 0.5, 0, 3, -1], [0.5, 1, -0.5, 2, 0, -1], [-1, 0.25, 0, 1, 1, 1]]
        let decayed: Set<Int> = [0, 2, 3]  // the weights; biases 1, 4 and 5 are not decayed
        var (w, m, s) = (start.map(Double.init), [Double](repeating: 0, count: 6), [Double](repeating: 0, count: 6))
        for (t, g) in steps.enumerated() {
            let gradients = g.map(Float.init)
            gradients.withUnsafeBufferPointer { adam.step(&model, gradients: $0, learningRate: lr) }
            let (c1, c2) = (1 - pow(b1, Double(t + 1)), 1 - pow(b2, Double(t + 1)))
            for i in 0..<6 {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                s[i] = b2 * s[i] + (1 - b2) * g[i] * g[i]
                let shrunk = decayed.contains(i) ? w[i] * (1 - lr * decay) : w[i]
                w[i] = shrunk - lr * (m[i] / c1) / ((s[i] / c2).squareRoot() + eps)
                #expect(abs(Double(model.parameters[i]) - w[i]) < 1e-6, "step \(t + 1), parameter \(i)")
                #expect(abs(Double(adam.velocity[i]) - m[i]) < 1e-6 && abs(Double(adam.secondMoment[i]) - s[i]) < 1e-6)
            }
        }
        #expect(adam.steps == 3)
        // The first step moves every parameter with a gradient by about lr, whatever its size: Adam's signature.
        var fresh = Optimizer(parameterCount: 6, kind: .adam)
        var first = MLP<Float>(architecture: architecture, parameters: start)
        [Float(1e-4), 10, 0, 0, 0, 0].withUnsafeBufferPointer { fresh.step(&first, gradients: $0, learningRate: 0.01) }
        #expect(
            abs(first.parameters[0] - (start[0] - 0.01)) < 1e-4 && abs(first.parameters[1] - (start[1] - 0.01)) < 1e-6)
    }

    /// The fused backward + update must be the same optimiser as `backward` + `step`, in every
    /// case it takes: momentum or none, weight decay or none, PReLU slopes beside the weights.
    @Test(arguments: [(0.0, 0.0), (0.0, 0.01), (0.9, 0.0), (0.9, 0.01)])
    func fusedStepEqualsBackwardThenStep(momentum: Double, weightDecay: Double) {
        let architecture = Architecture(
            inputs: 12, hidden: [9, 7], activations: [.prelu(initial: 0.25), .tanh], outputs: 4)
        var random = SeededRandom(seed: 5, stream: "test")
        let rows = 6
        let x = (0..<rows * 12).map { _ in Float(random.nextUnit() * 2 - 1) }
        let labels = (0..<rows).map { Int32($0 % 4) }
        var plain = MLP<Float>(architecture: architecture, seed: 3), fused = plain
        var plainSGD = Optimizer(parameterCount: plain.parameters.count, momentum: momentum, weightDecay: weightDecay)
        var fusedSGD = plainSGD
        let workspace = Workspace<Float>(architecture: architecture, capacity: rows)
        func lossGradient() {
            _ = labels.withUnsafeBufferPointer {
                SoftmaxCrossEntropy.evaluate(
                    logits: workspace.logits, labels: $0.baseAddress!, rows: rows, classes: 4,
                    gradient: workspace.logitGradient, gradientScale: 1 / Float(rows))
            }
        }
        x.withUnsafeBufferPointer { x in
            for _ in 0..<4 {
                plain.forward(x.baseAddress!, rows: rows, workspace: workspace)
                lossGradient()
                plain.backward(x.baseAddress!, rows: rows, workspace: workspace)
                plainSGD.step(&plain, gradients: UnsafeBufferPointer(workspace.gradients), learningRate: 0.3)

                fused.forward(x.baseAddress!, rows: rows, workspace: workspace)
                lossGradient()
                fusedSGD.backwardAndStep(
                    &fused, inputs: x.baseAddress!, rows: rows, workspace: workspace, learningRate: 0.3)
            }
        }
        #expect(plain.parameters != MLP<Float>(architecture: architecture, seed: 3).parameters)
        for i in plain.parameters.indices {
            #expect(
                abs(plain.parameters[i] - fused.parameters[i]) <= 1e-5 * max(1, abs(plain.parameters[i])),
                "parameter \(i)")
            #expect(
                abs(plainSGD.velocity[i] - fusedSGD.velocity[i]) <= 1e-5 * max(1, abs(plainSGD.velocity[i])),
                "velocity \(i)")
        }
    }

    /// The weights' moving average against its formula by hand, through the plain and the fused
    /// update: it starts at the weights and moves by (1 − decay) of the gap after each step.
    @Test func theAverageFollowsItsFormula() {
        let architecture = Architecture(inputs: 3, hidden: [2], activations: [.prelu(initial: 0.25)], outputs: 2)
        let start = MLP<Float>(architecture: architecture, seed: 4)
        let rows = 2
        let x: [Float] = [0.5, -1, 2, 1, 0.25, -0.5]
        let labels: [Int32] = [1, 0]
        for fused in [false, true] {
            var model = start
            var sgd = Optimizer(parameterCount: model.parameters.count, momentum: 0.9, averageDecay: 0.75)
            var expected = start.parameters.map(Double.init)
            let workspace = Workspace<Float>(architecture: architecture, capacity: rows)
            x.withUnsafeBufferPointer { x in
                for _ in 0..<3 {
                    model.forward(x.baseAddress!, rows: rows, workspace: workspace)
                    _ = labels.withUnsafeBufferPointer {
                        SoftmaxCrossEntropy.evaluate(
                            logits: workspace.logits, labels: $0.baseAddress!, rows: rows, classes: 2,
                            gradient: workspace.logitGradient, gradientScale: 0.5)
                    }
                    if fused {
                        sgd.backwardAndStep(
                            &model, inputs: x.baseAddress!, rows: rows, workspace: workspace, learningRate: 0.5)
                    } else {
                        model.backward(x.baseAddress!, rows: rows, workspace: workspace)
                        sgd.step(&model, gradients: UnsafeBufferPointer(workspace.gradients), learningRate: 0.5)
                    }
                    for i in expected.indices { expected[i] = 0.75 * expected[i] + 0.25 * Double(model.parameters[i]) }
                }
            }
            #expect(model.parameters != start.parameters)
            for i in expected.indices {
                #expect(abs(Double(sgd.average[i]) - expected[i]) < 1e-6, "fused \(fused), parameter \(i)")
            }
        }
    }

    /// A run's cost in products, counted by hand for 784-1024-1024-10: per example 2 × (2 × every
    /// layer's weights + every layer's but the first), forward 2 × the weights.
    @Test func aRunsCostCountsItsProducts() {
        var config = TrainingConfig()
        (config.hidden, config.epochs, config.validationCount, config.testViews) = ([1024, 1024], 60, 0, 5)
        let weights = 784.0 * 1024 + 1024 * 1024 + 1024 * 10
        let perExample = 2 * (2 * weights + (1024 * 1024 + 1024 * 10))
        #expect(perExample == 9_564_160)
        let cost = TrainingCost(config, images: 60_000, testImages: 10_000)
        #expect(cost.training == 60 * 60_000 * perExample && cost.testing == 5 * 10_000 * 2 * weights)
        config.validationCount = 10_000
        #expect(TrainingCost(config, images: 60_000, testImages: 10_000).training == 60 * 50_000 * perExample)
    }

    @Test func schedules() {
        #expect(Schedule.constant.learningRate(base: 0.1, epoch: 4, step: 99, totalSteps: 100) == 0.1)
        #expect(
            abs(Schedule.step(every: 2, factor: 0.1).learningRate(base: 0.1, epoch: 4, step: 0, totalSteps: 1) - 0.001)
                < 1e-12)
        #expect(Schedule.cosine.learningRate(base: 0.1, epoch: 0, step: 0, totalSteps: 100) == 0.1)
        #expect(abs(Schedule.cosine.learningRate(base: 0.1, epoch: 0, step: 50, totalSteps: 100) - 0.05) < 1e-12)
        // Warm-up over 10 of 110 steps (10 an epoch): up by a tenth a step, then the whole cosine
        // over the 100 left; a step schedule counts its epochs from the warm-up's end.
        let warm = { (schedule: Schedule, step: Int) in
            schedule.learningRate(base: 0.1, step: step, totalSteps: 110, stepsPerEpoch: 10, warmupSteps: 10)
        }
        #expect(abs(warm(.cosine, 0) - 0.01) < 1e-12 && abs(warm(.cosine, 4) - 0.05) < 1e-12)
        #expect(warm(.cosine, 9) == 0.1 && warm(.cosine, 10) == 0.1)
        #expect(abs(warm(.cosine, 60) - 0.05) < 1e-12 && warm(.cosine, 109) < 1e-4)
        #expect(warm(.step(every: 1, factor: 0.5), 19) == 0.1 && warm(.step(every: 1, factor: 0.5), 20) == 0.05)
        #expect(Schedule(spec: "step:3:0.5") == .step(every: 3, factor: 0.5))
        #expect(Schedule(spec: "step:0:0.5") == nil)
        #expect(Schedule(spec: "linear") == nil)
    }
}
