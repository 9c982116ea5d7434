import Foundation
import Model

/// An ablation's results, merged from one or more result folders, with the numbers the report shows.
public struct AblationSummary {
    public let plan: AblationPlan
    public let results: [CellResult]
    public let environments: [RunEnvironment]
    /// Cells of the plan with no result (a shard not run, or not merged).
    public let missing: [AblationCell]

    /// Per activation, in the plan's order.
    public struct ActivationRow {
        public let activation: Activation
        public let learningRate: Double
        public let accuracies: [Double]
        public let testLosses: [Double]
        public let failures: Int
        public let bestEpoch: Int?
        /// Over the epochs that ran; nil when none did (every seed diverged in its first epoch).
        public let secondsPerEpoch: Double?
        public let samplesPerSecond: Double?
        /// Last epoch's validation diagnostics per hidden layer, averaged over seeds.
        public let layers: [LayerDiagnostics]
        public var meanAccuracy: Double { Statistics.mean(accuracies) }
        public var sdAccuracy: Double { Statistics.standardDeviation(accuracies) }
    }

    /// An activation against the reference (ReLU) over the seeds both finished.
    public struct Comparison {
        public let activation: Activation
        public let seeds: [UInt64]
        public let differences: [Double]
        public var meanDifference: Double { Statistics.mean(differences) }
        public var t: (t: Double, degreesOfFreedom: Int)? { Statistics.pairedT(differences) }
        /// Whether the difference is larger than seed-to-seed noise at the 5% level.
        public var significant: Bool {
            guard let t else { return false }
            return abs(t.t) > Statistics.criticalT(degreesOfFreedom: t.degreesOfFreedom)
        }
    }

    public init(plan: AblationPlan, results: [CellResult], environments: [RunEnvironment]) {
        self.plan = plan
        let order = Dictionary(uniqueKeysWithValues: plan.cells.enumerated().map { ($1, $0) })
        self.results = results.filter { order[$0.cell] != nil }.sorted { order[$0.cell]! < order[$1.cell]! }
        self.environments = environments
        let finished = Set(results.map(\.cell))
        missing = plan.cells.filter { !finished.contains($0) }
    }

    func results(for activation: Activation) -> [CellResult] { results.filter { $0.cell.activation == activation } }

    func result(_ activation: Activation, seed: UInt64) -> CellResult? {
        results.first { $0.cell.activation == activation && $0.cell.seed == seed }
    }

    public var rows: [ActivationRow] {
        plan.activations.map { activation in
            let cells = results(for: activation)
            let finished = cells.filter { $0.testAccuracy != nil }
            let bestEpochs = finished.compactMap(\.bestEpoch).sorted()
            let lastLayers = finished.compactMap { $0.history.last?.layers }
            let layerCount = lastLayers.map(\.count).min() ?? 0
            let layers = (0..<layerCount).map { l -> LayerDiagnostics in
                let values = lastLayers.map { $0[l] }
                return LayerDiagnostics(
                    neverActiveFraction: Statistics.mean(values.map(\.neverActiveFraction)),
                    saturatedFraction: Statistics.mean(values.map(\.saturatedFraction)),
                    meanActivation: Statistics.mean(values.map(\.meanActivation)),
                    gradientNorm: Statistics.mean(finished.map { meanGradientNorm($0, layer: l) }),
                    oneSignFraction: Statistics.meanOrNil(values.compactMap(\.oneSignFraction)))
            }
            return ActivationRow(
                activation: activation,
                learningRate: plan.config(for: AblationCell(activation: activation, seed: 0)).effectiveLearningRate,
                accuracies: finished.map { $0.testAccuracy! }, testLosses: finished.map { $0.testLoss! },
                failures: cells.count - finished.count,
                bestEpoch: bestEpochs.isEmpty ? nil : bestEpochs[bestEpochs.count / 2],
                secondsPerEpoch: Statistics.meanOrNil(cells.flatMap { $0.history.map(\.seconds) }),
                samplesPerSecond: Statistics.meanOrNil(cells.flatMap { $0.history.map(\.samplesPerSecond) }),
                layers: layers)
        }
    }

    /// A layer's gradient norm averaged over the epochs of one run.
    func meanGradientNorm(_ result: CellResult, layer: Int) -> Double {
        Statistics.mean(result.history.compactMap { $0.layers?[layer].gradientNorm })
    }

    /// What the others are compared with: ReLU when it is in the plan, else the first activation.
    public var reference: Activation { plan.activations.contains(.relu) ? .relu : plan.activations[0] }

    public var comparisons: [Comparison] {
        plan.activations.filter { $0 != reference }.map { activation in
            let pairs = plan.seeds.compactMap { seed -> (UInt64, Double)? in
                guard let a = result(activation, seed: seed)?.testAccuracy,
                    let r = result(reference, seed: seed)?.testAccuracy
                else { return nil }
                return (seed, a - r)
            }
            return Comparison(activation: activation, seeds: pairs.map(\.0), differences: pairs.map(\.1))
        }
    }

    /// Mean and sample SD over seeds of one per-epoch number, for epoch 1…E.
    func curve(_ activation: Activation, _ value: (EpochRecord) -> Double?) -> [(epoch: Int, mean: Double, sd: Double)]
    {
        let runs = results(for: activation).filter { $0.failure == nil }
        let epochs = runs.map(\.history.count).max() ?? 0
        return (0..<epochs).compactMap { e in
            let values = runs.compactMap { $0.history.count > e ? value($0.history[e]) : nil }
            return values.isEmpty ? nil : (e + 1, Statistics.mean(values), Statistics.standardDeviation(values))
        }
    }
}

// MARK: - Grids

/// One point of a grid's architecture × learning-rate axes.
public struct GridSetting: Hashable, Sendable {
    public let hidden: [Int]
    public let learningRate: LearningRateChoice

    /// `128x4, lr 0.1` / `256-128, default lr`.
    public var label: String {
        AblationCell.widths(hidden) + ", " + (learningRate == .default ? "default lr" : "lr \(learningRate)")
    }
}

extension AblationSummary {
    /// Every (architecture, learning rate) of the plan, architectures first, in the plan's order.
    public var settings: [GridSetting] {
        plan.architectures.flatMap { hidden in plan.learningRates.map { GridSetting(hidden: hidden, learningRate: $0) }
        }
    }

    /// The ablation of one setting on its own: a plan of one architecture and one learning rate
    /// and the results of its cells, so that every per-activation number is computed as for a
    /// plain ablation.
    public func slice(_ setting: GridSetting) -> AblationSummary {
        guard plan.isGrid else { return self }
        var base = plan.base
        base.hidden = setting.hidden
        base.learningRate = setting.learningRate.value
        let single = AblationPlan(
            activations: plan.activations, seeds: plan.seeds, base: base, dataset: plan.dataset,
            trainingLimit: plan.trainingLimit, inputs: plan.inputs, classes: plan.classes)
        let mine = results.filter {
            plan.hidden(of: $0.cell) == setting.hidden && plan.learningRate(of: $0.cell) == setting.learningRate
        }.map { result -> CellResult in
            var flat = result
            flat.cell = AblationCell(activation: result.cell.activation, seed: result.cell.seed)
            return flat
        }
        return AblationSummary(plan: single, results: mine, environments: environments)
    }
}
