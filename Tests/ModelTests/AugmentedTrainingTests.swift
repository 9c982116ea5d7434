import Dataset
import Foundation
import Model
import Testing
import TestSupport

/// Training with distorted images: it learns, it resumes exactly, and the distortions keep digits readable.
@Suite(.serialized) struct AugmentedTrainingTests {
    static let augmentation = Augmentation(affine: 1, elastic: 1, thickness: 1)

    static func config(
        epochs: Int, augmentation: Augmentation = Self.augmentation, dropout: Double = 0, ramp: Int = 0
    ) -> TrainingConfig {
        var config = TrainingConfig()
        config.dropout = dropout
        config.augmentationRamp = ramp
        config.hidden = [128]
        config.epochs = epochs
        config.validationCount = 500
        config.batchSize = 50
        config.seed = 4
        config.augmentation = augmentation
        return config
    }

    @Test func aShortAugmentedRunLearns() throws {
        guard let data = sharedMNIST else { return }
        let subset = data.train.subset(0..<6000)
        let augmented = Training(config: Self.config(epochs: 3), trainSet: subset)
        var state = augmented.initialState()
        try augmented.run(&state, threads: 2)
        let test = Evaluation(model: state.model, data: data.test, threads: 2)
        #expect(test.accuracy >= 0.90, "test accuracy \(test.accuracy) after 3 augmented epochs on 6,000 images")

        // The distortions really happened: the same run on the pictures as they are fits its
        // training images more easily.
        let plain = Training(config: Self.config(epochs: 3, augmentation: .none), trainSet: subset)
        var plainState = plain.initialState()
        try plain.run(&plainState, threads: 2)
        #expect(
            state.history.last!.trainLoss > 1.5 * plainState.history.last!.trainLoss,
            "augmented training loss \(state.history.last!.trainLoss), plain \(plainState.history.last!.trainLoss)")
    }

    @Test(arguments: [(0.0, 0), (0.3, 0), (0.0, 1)])
    func anInterruptedAugmentedRunResumesBitForBit(dropout: Double, ramp: Int) throws {
        guard let data = sharedMNIST else { return }
        let training = Training(
            config: Self.config(epochs: 2, dropout: dropout, ramp: ramp), trainSet: data.train.subset(0..<1500))
        var straight = training.initialState()
        try training.run(&straight, threads: 2)

        var state = training.initialState()
        for stopAt in [7, 25] {  // inside epoch 1, then inside epoch 2
            var asked = 0
            #expect(
                try training.run(
                    &state, threads: 2,
                    shouldStop: {
                        asked += 1; return asked == stopAt
                    }) == .interrupted)
            let bytes = try Checkpoint(config: training.config, state: state, dataset: "mnist", datasetSHA256: [:])
                .encoded()
            let loaded = try Checkpoint(bytes: bytes, path: "resume.safetensors")
            #expect(loaded.config.augmentation == Self.augmentation)
            state = loaded.state
        }
        #expect(try training.run(&state, threads: 2) == .finished)
        #expect(state.model.parameters == straight.model.parameters)
        #expect(state.optimizer.velocity == straight.optimizer.velocity)
        #expect(state.history.map(\.trainLoss) == straight.history.map(\.trainLoss))
    }

    /// `--augment-ramp N`: epoch e (from 1) distorts with e/(N+1) of the ranges, then the full
    /// ones; strength 0 is the picture as it is, and half the strength half the rotation.
    @Test func theRampGrowsTheDistortions() throws {
        var config = Self.config(epochs: 5, ramp: 3)
        #expect((0..<5).map(config.augmentationStrength(epoch:)) == [0.25, 0.5, 0.75, 1, 1])
        config.augmentationRamp = 0
        #expect(config.augmentationStrength(epoch: 0) == 1)

        let key = AugmentationKey(seed: 4, epoch: 2, index: 17)
        let full = Self.augmentation.distortion(for: key), half = Self.augmentation.scaled(by: 0.5).distortion(for: key)
        #expect(full.rotation != 0 && abs(half.rotation - full.rotation / 2) < 1e-12)
        #expect(abs(half.elasticAlpha - full.elasticAlpha / 2) < 1e-12)

        guard let data = sharedMNIST else { return }
        let gatherer = BatchGatherer(
            capacity: 4, featureCount: 784, augmentation: Self.augmentation, imageShape: (28, 28))
        let plain = BatchGatherer(capacity: 4, featureCount: 784)
        func pixels(_ strength: Double) -> [Float] {
            gatherer.select(data.train, order: [3, 9, 27, 81], range: 0..<4, seed: 4, epoch: 1, strength: strength)
            gatherer.copyPixels(rows: 0..<4)
            return Array(gatherer.inputs.prefix(4 * 784))
        }
        plain.gather(data.train, order: [3, 9, 27, 81], range: 0..<4)
        #expect(pixels(0) == Array(plain.inputs.prefix(4 * 784)), "strength 0: the pictures as they are")
        let (weak, strong) = (pixels(0.5), pixels(1))
        #expect(weak != strong && weak != pixels(0))
    }

    @Test(arguments: [0.0, 0.3])
    func theThreadCountChangesOnlyRounding(dropout: Double) throws {
        guard let data = sharedMNIST else { return }
        let training = Training(config: Self.config(epochs: 1, dropout: dropout), trainSet: data.train.subset(0..<2000))
        var one = training.initialState(), two = training.initialState()
        try training.run(&one, threads: 1)
        try training.run(&two, threads: 2)
        // Each image's distortion comes from (seed, epoch, index), and each dropout mask from
        // (seed, epoch, batch, layer, row, unit), never from which thread made it.
        let largest = zip(one.model.parameters, two.model.parameters).map { abs($0 - $1) }.max()!
        #expect(largest < 1e-4, "weights differ by up to \(largest)")
        #expect(abs(one.history[0].trainLoss - two.history[0].trainLoss) < 1e-4)
    }

    /// The default strengths change the handwriting, not the digit: a small model trained on
    /// distorted digits for 3 epochs reads distorted test digits almost as well as undistorted ones
    /// (measured: 3 points lower for affine, 9 for elastic, 14 for all three; a distortion that
    /// made digits unreadable or turned one into another would leave them near chance). A model
    /// that never saw a shift or a warp reads them worse still: an MLP has no notion of a moved stroke.
    @Test func distortedDigitsKeepTheirLabelsShape() throws {
        guard let data = sharedMNIST else { return }
        let test = data.test.subset(0..<2000)
        func distorted(_ augmentation: Augmentation) -> DigitDataset {
            let augmenter = Augmenter(augmentation, rows: 28, cols: 28)
            var pixels: [Float] = []
            pixels.reserveCapacity(test.count * 784)
            for i in 0..<test.count {
                pixels += augmenter.apply(
                    Array(test.levels[i * 784..<(i + 1) * 784]), key: AugmentationKey(seed: 9, epoch: 0, index: i))
            }
            return DigitDataset(pixels: pixels, labels: test.labels, rows: 28, cols: 28)
        }
        func trained(_ augmentation: Augmentation) throws -> MLP<Float> {
            var config = TrainingConfig()
            (config.epochs, config.validationCount, config.augmentation) = (3, 1000, augmentation)
            let training = Training(config: config, trainSet: data.train.subset(0..<20_000))
            var state = training.initialState()
            try training.run(&state, threads: 2)
            return state.model
        }
        let robust = try trained(Self.augmentation), plain = try trained(.none)
        let clean = Evaluation(model: robust, data: test, threads: 2).accuracy
        for (augmentation, gap) in [
            (Augmentation(affine: 1), 0.06), (Augmentation(elastic: 1), 0.12), (Augmentation(thickness: 1), 0.02),
            (Self.augmentation, 0.18)
        ] {
            let images = distorted(augmentation)
            let accuracy = Evaluation(model: robust, data: images, threads: 2).accuracy
            #expect(accuracy > clean - gap, "\(augmentation.spec): \(accuracy) against \(clean) undistorted")
            if augmentation.thickness == 0 || augmentation.affine != 0 {
                // (Thicker or thinner strokes alone are read as well as the originals, sometimes a
                // hair better; AugmentationTests checks that they change the strokes.)
                #expect(accuracy < clean, "\(augmentation.spec) changed nothing a model notices")
            }
            if augmentation.thickness == 0 {
                let unseen = Evaluation(model: plain, data: images, threads: 2).accuracy
                #expect(
                    unseen < accuracy - 0.01,
                    "\(augmentation.spec): a model trained without it reads \(unseen), with it \(accuracy)")
            }
        }
    }

    /// Images that are not square get a sentence naming their shape, not a crash.
    @Test func theRobustnessCheckRefusesImagesThatAreNotSquare() {
        let data = DigitDataset(levels: [UInt8](repeating: 0, count: 2 * 28 * 30), labels: [0, 1], rows: 28, cols: 30)
        let model = MLP<Float>(
            architecture: Architecture(inputs: 28 * 30, hidden: [8], activations: [.relu], outputs: 10), seed: 1)
        #expect {
            _ = try RobustnessCheck.run(model: model, test: data, limit: 2)
        } throws: { error in
            "\(error)" == "the robustness check needs square images, as predict does; these are 28x30"
        }
    }

    @Test func configurationsSavedBeforeAugmentationExistedStillLoad() throws {
        var config = TrainingConfig()
        config.augmentation = Self.augmentation
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as! [String: Any]
        #expect(json["augmentation"] as? String == "affine,elastic,thickness")
        #expect(
            try JSONDecoder().decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: json)) == config)
        json["augmentation"] = nil
        let old = try JSONDecoder().decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.augmentation == .none && old.hidden == config.hidden)
        json["augmentation"] = "rotate"
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(TrainingConfig.self, from: JSONSerialization.data(withJSONObject: json))
        }
    }
}
