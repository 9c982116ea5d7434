import Dataset
import Foundation
import Model

/// A classroom lesson: a small ablation (a few runs, a minute or less on two cores) that shows one
/// textbook effect, what to look at while it trains, and the claim it makes, judged when its runs
/// are over by the very rules the ablation report judges with (`Claims.swift`), so that a lesson
/// and a report cannot tell a learner two different things.
public struct Lesson: Sendable {
    /// The claims of `Claims.swift` a lesson can be judged by.
    public enum Judged: Sendable {
        case vanishingGradients, zeroCentred, reluDies, dyingReLU
        /// Variant 0 trained with cross-entropy, variant 1 with squared error (`OutputLoss`).
        case crossEntropyLearnsFaster
        /// Variant 0 started from Glorot's normalized initialisation, variant 1 from the standard one.
        case normalizedInitLearnsFaster
        /// GELU's test accuracy against ReLU's, seed by seed (the report's paired comparison).
        case geluBeatsReLU
    }

    /// A setting every run of one variant has (`loss` `mse`), beyond the plan's axes.
    public struct Variant: Sendable, Equatable {
        public let setting: String
        public let value: String
    }

    /// One run of the lesson: a cell of its plan, in one of its variants (nil: it has none).
    public struct Run: Sendable, Equatable, Codable {
        public let cell: AblationCell
        public let variant: Int?

        public init(cell: AblationCell, variant: Int?) { (self.cell, self.variant) = (cell, variant) }
    }

    /// The name in its link (`?lesson=NAME`) and in `POST /api/lessons/NAME`.
    public let name: String
    public let title: String
    /// Two or three sentences: what happens and where on the page to see it.
    public let look: String
    /// What was measured when the lesson was made, including where the textbook does not hold here.
    public let measured: String
    /// The runs: every cell of the plan, one seed, in each variant.
    public let plan: AblationPlan
    public let variants: [Variant]
    /// The run to look inside first: the one that shows the effect.
    public let focus: Run
    public let judged: [Judged]

    public var runs: [Run] {
        plan.cells.flatMap { cell in
            variants.isEmpty ? [Run(cell: cell, variant: nil)] : variants.indices.map { Run(cell: cell, variant: $0) }
        }
    }

    /// The configuration `run` trains with: its cell's, with its variant's setting.
    public func config(for run: Run) -> TrainingConfig {
        var config = plan.config(for: run.cell)
        if let v = run.variant, let setting = TrainingSettings.named(variants[v].setting) {
            try? setting.set(variants[v].value, in: &config)  // a lesson's own values; `LessonTests` checks they apply
        }
        return config
    }

    /// The verdicts, from the runs' results (runs missing or diverged are judged as a report would).
    public func verdicts(_ results: [(run: Run, result: CellResult)]) -> [Claim] {
        let inVariant = { (v: Int?) in results.filter { $0.run.variant == v }.map(\.result) }
        let summary = AblationSummary(
            plan: plan, results: inVariant(variants.isEmpty ? nil : 0), environments: [])
        let all = summary.rowsBySetting
        let table = all.map { (setting: $0.setting, rows: $0.rows.filter { !$0.accuracies.isEmpty }) }
        return judged.map { claim in
            switch claim {
            case .vanishingGradients: return summary.vanishingGradients(table)
            case .zeroCentred: return summary.zeroCentred(table)
            case .reluDies: return summary.reluDies(table)
            case .dyingReLU: return summary.dyingReLU(table, including: all)
            case .geluBeatsReLU:
                return summary.beatsReLU(
                    .gelu, "GELU reaches a higher test accuracy than ReLU (Hendrycks & Gimpel 2016), beyond seed noise."
                )
            case .crossEntropyLearnsFaster:
                return Claim.learnsFaster(
                    "Softmax with cross-entropy learns faster than squared error on the softmax's outputs.",
                    ahead: inVariant(0).first, behind: inVariant(1).first, names: ("cross-entropy", "squared error"))
            case .normalizedInitLearnsFaster:
                return Claim.learnsFaster(
                    "A sigmoid network learns faster from Glorot and Bengio's normalized initialisation than from the standard one.",
                    ahead: inVariant(0).first, behind: inVariant(1).first, names: ("normalized", "standard"))
            }
        }
    }

    public static func named(_ name: String) -> Lesson? { all.first { $0.name == name } }

    /// A plan of MNIST runs: `activations` × `architectures` × `rates` × `seeds`, `epochs` each.
    private static func plan(
        _ activations: [Activation], _ architectures: [[Int]], rates: [LearningRateChoice] = [.default],
        seeds: [UInt64] = [1], epochs: Int
    ) -> AblationPlan {
        var base = TrainingConfig()
        base.epochs = epochs
        base.hidden = architectures[0]
        base.learningRate = rates[0].value
        return AblationPlan(
            activations: activations, seeds: seeds, base: base, dataset: DatasetKind.mnist.rawValue, inputs: 784,
            classes: 10,
            architectures: architectures, learningRates: rates)
    }

    public static let all: [Lesson] = [
        Lesson(
            name: "vanishing-gradients", title: "Vanishing gradients: sigmoid against ReLU, 2 and 8 layers deep",
            look:
                "Sigmoid's slope is at most ¼, so every layer the error passes through on its way back shrinks it. Watch the gradient norm of the first layer (the third chart) and, for a run you click, every layer's on one log scale: at 8 layers sigmoid's first layer gets thousands of times less than its last and the network stays at chance, while ReLU's gradient holds up. The 2-layer runs show that the fall comes with depth.",
            measured:
                "Measured with seed 1: sigmoid 64x8 ends at chance (11.35%), its first layer's gradient about 5,000 times below its last layer's; ReLU 64x8 reaches about 95%.",
            plan: plan([.sigmoid, .relu], [[64, 64], Array(repeating: 64, count: 8)], epochs: 2),
            variants: [],
            focus: Run(
                cell: AblationCell(activation: .sigmoid, seed: 1, hidden: Array(repeating: 64, count: 8)), variant: nil),
            judged: [.vanishingGradients]),
        Lesson(
            name: "dying-relu", title: "Dying ReLU: a learning rate too large kills units for good",
            look:
                "A step that pushes a ReLU unit's pre-activation below zero for every image leaves it with slope 0: no gradient reaches it again, and it is dead. Watch the dead share (the last chart, solid) and the gradient norm fall to the ○ floor at lr 0.5; at 0.05 almost every unit lives. LeakyReLU keeps a small slope below zero, the textbook cure.",
            measured:
                "Measured with seed 1 (momentum 0.9, 256,128): ReLU at lr 0.5 ends at chance with nearly every unit of a layer dead; at 0.05 it reaches about 97%. The textbook cure does not survive this rate here: LeakyReLU diverges at 0.5 (so do ELU, SELU, Swish and LeakyReLU with α 0.2 or 0.3; ReLU itself still lives at 0.3), so the lesson's second verdict is expected not to hold, and the cure that works is the smaller rate.",
            plan: plan([.relu, .leakyRelu(alpha: 0.01)], [[256, 128]], rates: [.rate(0.05), .rate(0.5)], epochs: 2),
            variants: [],
            focus: Run(cell: AblationCell(activation: .relu, seed: 1, learningRate: .rate(0.5)), variant: nil),
            judged: [.reluDies, .dyingReLU]),
        Lesson(
            name: "zero-centred", title: "Zero-centred outputs: sigmoid against tanh",
            look:
                "Sigmoid's outputs lie between 0 and 1, all positive, so for one image the gradients of the next layer's weights into a unit all share one sign: they can only all grow or all shrink together, and learning zig-zags. Tanh is a sigmoid stretched to (−1, 1) and centred on zero. The verdict counts the images on which a layer's outputs all share one sign; compare the loss curves, and each layer's mean output under Layer by layer.",
            measured:
                "Measured with seed 1 (256,128, each activation's own learning rate): on every held-out image all of sigmoid's first-layer outputs had one sign, on none of them tanh's; mean outputs 0.148 and −0.009.",
            plan: plan([.sigmoid, .tanh], [[256, 128]], epochs: 2), variants: [],
            focus: Run(cell: AblationCell(activation: .sigmoid, seed: 1), variant: nil), judged: [.zeroCentred]),
        Lesson(
            name: "cross-entropy", title: "Why the output is softmax with cross-entropy, not squared error",
            look:
                "The same network trained twice: once minimising cross-entropy, −log of the probability it gives the right digit, and once the squared error between its ten probabilities and the one-hot answer, as older texts did. Squared error's gradient passes through the softmax's slope, which is near zero exactly when the network is confidently wrong, so it learns more slowly: compare the loss and accuracy curves in the first epoch (both charts show cross-entropy, so they compare).",
            measured:
                "Measured with seed 1 (sigmoid 256,128, its own rate 0.5, one epoch): 94.92% against 90.44% validation accuracy after the first epoch; with ReLU 96.10% against 93.50%.",
            plan: plan([.sigmoid], [[256, 128]], epochs: 1),
            variants: [Variant(setting: "loss", value: "cross-entropy"), Variant(setting: "loss", value: "mse")],
            focus: Run(cell: AblationCell(activation: .sigmoid, seed: 1), variant: 1),
            judged: [.crossEntropyLearnsFaster]),
        Lesson(
            name: "initialisation", title: "Initialisation: a sigmoid network's top layer saturates at 0",
            look:
                "The same sigmoid network, 128x3, started twice: from the standard initialisation, uniform in ±1/√fan-in, and from Glorot and Bengio's normalized one, which keeps each layer's signal and gradient at one scale. Early in training the top hidden layer is driven to 0, where the sigmoid is flat (their Figure 2): click each run and watch layer 3's saturated share (dashed) and mean output. From the standard start it stays saturated for longer, and the network learns more slowly.",
            measured:
                "Measured with seed 1 (lr 0.5, one epoch): from both starts the top layer was 97–100% saturated at a mean output of 0.00 for the first tenths of the epoch; from the normalized start it recovered by 0.42 of the epoch, from the standard one only by 0.55, and the runs ended at 90.58% and 41.26% validation accuracy. One layer deeper, 128x4, neither start recovers within an epoch (both at chance), so the lesson keeps three.",
            plan: plan([.sigmoid], [[128, 128, 128]], epochs: 1),
            variants: [Variant(setting: "init", value: "xavier"), Variant(setting: "init", value: "standard")],
            focus: Run(cell: AblationCell(activation: .sigmoid, seed: 1), variant: 1),
            judged: [.normalizedInitLearnsFaster]),
        Lesson(
            name: "gelu-relu", title: "GELU against ReLU: a difference, or seed noise?",
            look:
                "GELU weighs its input by how likely it is to be positive, a smooth ReLU; the paper that introduced it found it a little better. A little is the question: the same two networks are trained on three seeds, each seed giving both the same starting normals and batches, and the verdict asks whether GELU's lead is larger than what changing the seed alone does. Compare the curves, then look at the three differences in the verdict.",
            measured:
                "Measured on seeds 1–3 (128,128, one epoch, each activation's own rate: GELU 0.1, ReLU 0.05): GELU ahead by +0.59, +0.32 and +0.44 points, paired t 5.76 against the 4.30 that two degrees of freedom need, so it held; GELU's erf made its epochs about 1.8 times as long. The paper's own test, 50 epochs and five seeds, is `trainer ablate --study gelu-2016`.",
            plan: plan([.gelu, .relu], [[128, 128]], seeds: [1, 2, 3], epochs: 1), variants: [],
            focus: Run(cell: AblationCell(activation: .gelu, seed: 1), variant: nil), judged: [.geluBeatsReLU])
    ]
}
