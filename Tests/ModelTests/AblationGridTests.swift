import Dataset
import Foundation
import Model
import Testing

/// An ablation over architectures and learning rates besides activations: the cells, their
/// configurations, the fairness within an architecture, and plans that read back.
@Suite struct AblationGridTests {
    static func grid(seeds: [UInt64] = [1, 2]) -> AblationPlan {
        var base = TrainingConfig()
        base.epochs = 2
        base.validationCount = 100
        return AblationPlan(
            activations: [.relu, .tanh, .sigmoid], seeds: seeds, base: base, dataset: "mnist", inputs: 4, classes: 10,
            architectures: [[16, 8], [8, 8, 8, 8]], learningRates: [.default, .rate(0.01), .rate(0.5)])
    }

    @Test func theGridHasExactlyEveryCombination() {
        let plan = Self.grid()
        #expect(plan.isGrid)
        #expect(plan.cells.count == 2 * 2 * 3 * 3 && Set(plan.cells).count == 36)
        #expect(Set(plan.cells.map(\.id)).count == 36, "cell file names are distinct")
        for seed in plan.seeds {
            for hidden in plan.architectures {
                for rate in plan.learningRates {
                    for activation in plan.activations {
                        #expect(
                            plan.cells.contains(
                                AblationCell(activation: activation, seed: seed, hidden: hidden, learningRate: rate)))
                    }
                }
            }
        }
        #expect(
            AblationCell(activation: .tanh, seed: 2, hidden: [128, 128, 128, 128], learningRate: .rate(0.1)).id
                == "tanh-h128x4-lr0.1-seed2")
        #expect(
            AblationCell(activation: .relu, seed: 1, hidden: [256, 128], learningRate: .default).id
                == "relu-h256-128-lrdefault-seed1")
        for count in [1, 3, 7, 36, 40] {
            let shards = (1...count).flatMap { plan.cells(shard: $0, of: count) }
            #expect(shards.count == 36 && Set(shards) == Set(plan.cells), "\(count) shards")
        }
    }

    @Test func eachCellTrainsItsOwnArchitectureAtItsOwnRate() {
        let plan = Self.grid()
        let deep = plan.config(
            for: AblationCell(activation: .tanh, seed: 2, hidden: [8, 8, 8, 8], learningRate: .rate(0.5)))
        #expect(
            deep.hidden == [8, 8, 8, 8] && deep.learningRate == 0.5 && deep.activations == [.tanh] && deep.seed == 2)
        let usual = plan.config(
            for: AblationCell(activation: .sigmoid, seed: 1, hidden: [16, 8], learningRate: .default))
        #expect(usual.learningRate == nil && usual.effectiveLearningRate == Activation.sigmoid.defaultLearningRate)
    }

    /// Within one architecture, every activation and every learning rate of a seed gets the same
    /// split, the same batch order and the same initial normals.
    @Test func withinAnArchitectureEveryCellOfASeedStartsAlike() {
        let plan = Self.grid()
        let data = DigitDataset(
            pixels: (0..<(1000 * 4)).map { Float($0 % 13) / 13 }, labels: (0..<1000).map { UInt8($0 % 10) }, rows: 2,
            cols: 2)
        for seed in plan.seeds {
            for hidden in plan.architectures {
                let trainings = plan.cells.filter { $0.seed == seed && $0.hidden == hidden }
                    .map { Training(config: plan.config(for: $0), trainSet: data) }
                #expect(trainings.count == 9)
                let first = trainings[0]
                for other in trainings.dropFirst() {
                    #expect(Ablation.dataOrderDigest(other) == Ablation.dataOrderDigest(first))
                    let (a, b) = (first.initialState().model, other.initialState().model)
                    #expect(a.architecture.hidden == hidden && b.architecture.hidden == hidden)
                    for layer in a.layers {
                        let ratio = b.parameters[layer.weight.lowerBound] / a.parameters[layer.weight.lowerBound]
                        #expect(
                            layer.weight.allSatisfy {
                                abs(b.parameters[$0] - ratio * a.parameters[$0]) <= 1e-5 * abs(b.parameters[$0]) + 1e-7
                            })
                    }
                }
            }
        }
    }

    /// A plan of one architecture and one rate names neither in its cells: result folders written
    /// before grids resume and merge as they did.
    @Test func aPlainPlanKeepsItsCellsAndOldPlansReadBack() throws {
        var base = TrainingConfig()
        base.learningRate = 0.05
        let plain = AblationPlan(
            activations: [.relu, .tanh], seeds: [1], base: base, dataset: "mnist", inputs: 784, classes: 10)
        #expect(!plain.isGrid && plain.architectures == [[256, 128]] && plain.learningRates == [.rate(0.05)])
        #expect(plain.cells == [AblationCell(activation: .relu, seed: 1), AblationCell(activation: .tanh, seed: 1)])
        #expect(plain.cells.map(\.id) == ["relu-seed1", "tanh-seed1"])

        // The same plan as written before grids: no architectures, no learningRates.
        var old = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(plain)) as? [String: Any])
        old.removeValue(forKey: "architectures")
        old.removeValue(forKey: "learningRates")
        let read = try JSONDecoder().decode(AblationPlan.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(read == plain)
        let oldCell = try JSONDecoder().decode(AblationCell.self, from: Data(#"{"activation":"tanh","seed":1}"#.utf8))
        #expect(plain.cells.contains(oldCell))

        let grid = Self.grid()
        #expect(try JSONDecoder().decode(AblationPlan.self, from: JSONEncoder().encode(grid)) == grid)
        let cell = grid.cells[17]
        #expect(try JSONDecoder().decode(AblationCell.self, from: JSONEncoder().encode(cell)) == cell)
    }
}
