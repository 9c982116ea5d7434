import Foundation
import Model
import Report
import Testing

/// Constructed ablation results, so each verdict can be checked against numbers chosen for it.
enum Constructed {
    static func plan(_ activations: [Activation], seeds: [UInt64] = [1, 2, 3], inputs: Int = 784, classes: Int = 10)
        -> AblationPlan
    {
        var base = TrainingConfig()
        base.hidden = [16, 8]
        base.epochs = 1
        return AblationPlan(
            activations: activations, seeds: seeds, base: base, dataset: "mnist", inputs: inputs, classes: classes)
    }

    /// A cell that reached `accuracy` (nil: it diverged), with the given per-layer diagnostics.
    static func result(
        _ plan: AblationPlan, _ activation: Activation, seed: UInt64, accuracy: Double?,
        layers: [LayerDiagnostics] = [
            LayerDiagnostics(neverActiveFraction: 0, saturatedFraction: 0, meanActivation: 0.3, gradientNorm: 0.1),
            LayerDiagnostics(neverActiveFraction: 0, saturatedFraction: 0, meanActivation: 0.2, gradientNorm: 0.2)
        ]
    ) -> CellResult {
        let cell = AblationCell(activation: activation, seed: seed)
        let record = EpochRecord(
            epoch: 1, trainLoss: 0.3, trainAccuracy: 0.9, validationLoss: 0.2, validationAccuracy: accuracy,
            learningRate: 0.05, seconds: 1, samplesPerSecond: 50_000, layers: layers)
        return CellResult(
            cell: cell, config: plan.config(for: cell), learningRate: 0.05, history: accuracy == nil ? [] : [record],
            testAccuracy: accuracy, testLoss: accuracy.map { 1 - $0 },
            failure: accuracy == nil ? "training diverged: the loss became NaN or infinite in epoch 1, batch 3" : nil,
            dataOrderDigest: "digest-\(seed)", seconds: 1)
    }

    static func summary(_ plan: AblationPlan, _ accuracies: [Activation: [Double?]]) -> AblationSummary {
        let results = plan.activations.flatMap { activation in
            zip(plan.seeds, accuracies[activation] ?? []).map { result(plan, activation, seed: $0, accuracy: $1) }
        }
        return AblationSummary(plan: plan, results: results, environments: [])
    }
}

@Suite struct ConclusionsTests {
    func line(_ conclusions: [String], containing text: String) -> String? { conclusions.first { $0.contains(text) } }

    @Test func aClearWinnerIsLargerThanSeedNoise() throws {
        let plan = Constructed.plan([.relu, .sigmoid])
        let summary = Constructed.summary(plan, [.relu: [0.980, 0.981, 0.979], .sigmoid: [0.950, 0.952, 0.949]])
        let conclusions = summary.conclusions
        #expect(conclusions[0].hasPrefix("relu had the highest mean test accuracy, 98.00% over 3 seeds"))
        #expect(conclusions[0].contains("sigmoid, was 2.97 points behind"))
        let comparison = try #require(line(conclusions, containing: "sigmoid vs relu"))
        #expect(comparison.contains("-2.97 points") && comparison.contains("larger than seed noise"), "\(comparison)")
        #expect(summary.comparisons.first?.significant == true)
    }

    @Test func aSmallDifferenceIsWithinSeedNoise() throws {
        let plan = Constructed.plan([.relu, .tanh])
        let summary = Constructed.summary(plan, [.relu: [0.980, 0.975, 0.982], .tanh: [0.979, 0.981, 0.976]])
        let comparison = try #require(line(summary.conclusions, containing: "tanh vs relu"))
        #expect(comparison.contains("within seed noise"), "\(comparison)")
        #expect(summary.comparisons.first?.significant == false)
    }

    @Test func aDivergedCellIsNamedAndLeftOutOfTheMeans() throws {
        let plan = Constructed.plan([.relu, .sigmoid])
        let summary = Constructed.summary(plan, [.relu: [0.98, 0.98, 0.98], .sigmoid: [0.95, nil, 0.95]])
        let diverged = try #require(line(summary.conclusions, containing: "diverged"))
        #expect(diverged.hasPrefix("sigmoid diverged in 1 of 3 seeds: training diverged"))
        let sigmoid = try #require(summary.rows.first { $0.activation == .sigmoid })
        #expect(sigmoid.accuracies == [0.95, 0.95] && sigmoid.failures == 1)
        // The comparison pairs only the seeds both finished.
        #expect(summary.comparisons.first?.seeds == [1, 3])
    }

    @Test func oneSeedCannotTellNoiseFromDifference() throws {
        let plan = Constructed.plan([.relu, .swish(beta: 1)], seeds: [7])
        let summary = Constructed.summary(plan, [.relu: [0.980], .swish(beta: 1): [0.985]])
        #expect(summary.conclusions[0].hasPrefix("swish had the highest mean test accuracy, 98.50% over 1 seed"))
        #expect(line(summary.conclusions, containing: "With one seed there is no measure of seed-to-seed noise") != nil)
        #expect(line(summary.conclusions, containing: " vs relu") == nil, "no verdict from one pair")
    }

    @Test func nothingFinishedAndPartialReportsSaySo() throws {
        let plan = Constructed.plan([.relu, .tanh])
        let none = Constructed.summary(plan, [.relu: [nil, nil, nil]])
        #expect(none.conclusions.first == "No cell finished, so there is nothing to compare yet.")
        #expect(none.missing.count == 3)
        #expect(
            line(none.conclusions, containing: "This report is partial: 3 of 6 cells have no result yet (tanh-seed1")
                != nil)
    }

    @Test func deadUnitsAndSaturationAreReportedPerLayer() throws {
        let plan = Constructed.plan([.relu, .sigmoid])
        let dead = [
            LayerDiagnostics(neverActiveFraction: 0.125, saturatedFraction: 0, meanActivation: 0.3, gradientNorm: 0.2),
            LayerDiagnostics(neverActiveFraction: 0, saturatedFraction: 0, meanActivation: 0.2, gradientNorm: 0.3)
        ]
        let saturated = [
            LayerDiagnostics(neverActiveFraction: 0, saturatedFraction: 0.5, meanActivation: 0.6, gradientNorm: 0.02),
            LayerDiagnostics(neverActiveFraction: 0, saturatedFraction: 0.25, meanActivation: 0.5, gradientNorm: 0.1)
        ]
        let results = plan.seeds.flatMap { seed in
            [
                Constructed.result(plan, .relu, seed: seed, accuracy: 0.98, layers: dead),
                Constructed.result(plan, .sigmoid, seed: seed, accuracy: 0.97, layers: saturated)
            ]
        }
        let conclusions = AblationSummary(plan: plan, results: results, environments: []).conclusions
        #expect(
            line(
                conclusions,
                containing:
                    "relu: 12.5% of layer-1 units, 0.0% of layer-2 units never fired on the validation set (dead")
                != nil)
        #expect(
            line(conclusions, containing: "sigmoid: 50.0% of layer-1 units, 25.0% of layer-2 units saturated") != nil)
        let norms = try #require(line(conclusions, containing: "Mean gradient norm of the first layer's weights"))
        #expect(norms.contains("smallest for sigmoid, 0.10× relu's"), "\(norms)")
    }

    @Test func chanceLevelRunsAreCalledStopped() throws {
        let plan = Constructed.plan([.relu, .sigmoid])
        let summary = Constructed.summary(plan, [.relu: [0.98, 0.98, 0.98], .sigmoid: [0.1135, 0.1135, 0.1135]])
        #expect(
            line(summary.conclusions, containing: "sigmoid stopped learning: 11.35% test accuracy is chance level")
                != nil)
    }
}
