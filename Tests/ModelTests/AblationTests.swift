import Dataset
import Foundation
import Model
import Testing
import TestSupport

@Suite struct AblationTests {
    static func plan(_ activations: [Activation], seeds: [UInt64] = [1, 2, 3]) -> AblationPlan {
        var base = TrainingConfig()
        base.hidden = [16, 8]
        base.epochs = 2
        base.validationCount = 100
        return AblationPlan(
            activations: activations, seeds: seeds, base: base, dataset: "mnist", inputs: 4, classes: 10)
    }

    /// Same seed: the same split, the same batch order every epoch, and the same initial normals
    /// (each scaled by its own rule), whatever the activation.
    @Test func sameSeedSameDataAndStart() {
        let plan = Self.plan([.relu, .tanh, .sigmoid, .swish(beta: 1)])
        let data = DigitDataset(
            pixels: (0..<(1000 * 4)).map { Float($0 % 13) / 13 }, labels: (0..<1000).map { UInt8($0 % 10) }, rows: 2,
            cols: 2)
        for seed in plan.seeds {
            let trainings = plan.activations.map {
                Training(config: plan.config(for: AblationCell(activation: $0, seed: seed)), trainSet: data)
            }
            let relu = trainings[0]
            for other in trainings.dropFirst() {
                #expect(other.split == relu.split)
                for epoch in 0..<plan.base.epochs {
                    #expect(other.batches.order(epoch: epoch) == relu.batches.order(epoch: epoch))
                }
                #expect(Ablation.dataOrderDigest(other) == Ablation.dataOrderDigest(relu))
                // Same normals: every weight of a layer is the ReLU weight times one factor (the ratio of init scales).
                let (a, b) = (relu.initialState().model, other.initialState().model)
                for layer in a.layers {
                    let ratio = b.parameters[layer.weight.lowerBound] / a.parameters[layer.weight.lowerBound]
                    #expect(
                        layer.weight.allSatisfy {
                            abs(b.parameters[$0] - ratio * a.parameters[$0]) <= 1e-5 * abs(b.parameters[$0]) + 1e-7
                        })
                }
            }
        }
        let seed1 = Training(config: plan.config(for: AblationCell(activation: .relu, seed: 1)), trainSet: data)
        let seed2 = Training(config: plan.config(for: AblationCell(activation: .relu, seed: 2)), trainSet: data)
        #expect(Ablation.dataOrderDigest(seed1) != Ablation.dataOrderDigest(seed2))
    }

    @Test func shardsPartitionTheCells() {
        let plan = Self.plan([.relu, .leakyRelu(alpha: 0.01), .tanh, .sigmoid, .swish(beta: 1)])
        #expect(plan.cells.count == 15 && Set(plan.cells).count == 15)
        for count in [1, 2, 4, 15, 20] {
            let shards = (1...count).map { plan.cells(shard: $0, of: count) }
            #expect(
                shards.flatMap { $0 }.sorted { $0.id < $1.id } == plan.cells.sorted { $0.id < $1.id }, "\(count) shards"
            )
            #expect(Set(shards.flatMap { $0 }).count == 15)
        }
        #expect(AblationCell(activation: .leakyRelu(alpha: 0.1), seed: 2).id == "leaky-relu_0.1-seed2")
    }

    /// Gradient norms per layer are measured, not assumed: a step activation has zero derivative,
    /// so the weights feeding it get exactly zero gradient while the layer above still learns.
    @Test func gradientNormVanishesBelowAStep() throws {
        guard let data = sharedMNIST else { return }
        var config = TrainingConfig()
        config.hidden = [16, 16]
        config.activations = [.step, .relu]
        config.epochs = 1
        config.validationCount = 200
        config.diagnostics = true
        let training = Training(config: config, trainSet: data.train.subset(0..<2000))
        var state = training.initialState()
        try training.run(&state)
        let layers = try #require(state.history.last?.layers)
        #expect(layers.count == 2)
        #expect(layers[0].gradientNorm == 0)
        #expect((layers[1].gradientNorm ?? 0) > 0)
    }

    /// A diverging cell becomes a recorded result, not an error that stops the ablation.
    @Test func divergenceIsRecorded() throws {
        guard let data = sharedMNIST else { return }
        var plan = Self.plan([.relu], seeds: [1])
        plan.base.learningRate = 1e30
        plan.trainingLimit = 1000
        let trained = Ablation.run(AblationCell(activation: .relu, seed: 1), plan: plan, data: data)
        #expect(trained.result.testAccuracy == nil)
        #expect(trained.result.failure?.contains("diverged") == true)
        #expect(trained.checkpoint == nil, "a diverged cell has no model to save")
    }
}
