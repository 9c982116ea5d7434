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
    }

    /// The name in its link (`?lesson=NAME`) and in `POST /api/lessons/NAME`.
    public let name: String
    public let title: String
    /// Two or three sentences: what happens and where on the page to see it.
    public let look: String
    /// What was measured when the lesson was made, including where the textbook does not hold here.
    public let measured: String
    /// The runs: every cell of the plan, one seed.
    public let plan: AblationPlan
    /// The run to look inside first: the one that shows the effect.
    public let focus: AblationCell
    public let judged: [Judged]

    /// The verdicts, from the runs' results (cells missing or diverged are judged as a report would).
    public func verdicts(_ results: [CellResult]) -> [Claim] {
        let summary = AblationSummary(plan: plan, results: results, environments: [])
        let all = summary.rowsBySetting
        let table = all.map { (setting: $0.setting, rows: $0.rows.filter { !$0.accuracies.isEmpty }) }
        return judged.map { claim in
            switch claim {
            case .vanishingGradients: return summary.vanishingGradients(table)
            case .zeroCentred: return summary.zeroCentred(table)
            case .reluDies: return summary.reluDies(table)
            case .dyingReLU: return summary.dyingReLU(table, including: all)
            }
        }
    }

    public static func named(_ name: String) -> Lesson? { all.first { $0.name == name } }

    /// A plan of MNIST runs: `activations` × `architectures` × `rates`, seed 1, `epochs` each.
    private static func plan(
        _ activations: [Activation], _ architectures: [[Int]], rates: [LearningRateChoice] = [.default], epochs: Int
    ) -> AblationPlan {
        var base = TrainingConfig()
        base.epochs = epochs
        base.hidden = architectures[0]
        base.learningRate = rates[0].value
        return AblationPlan(
            activations: activations, seeds: [1], base: base, dataset: DatasetKind.mnist.rawValue, inputs: 784,
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
            focus: AblationCell(activation: .sigmoid, seed: 1, hidden: Array(repeating: 64, count: 8)),
            judged: [.vanishingGradients]),
        Lesson(
            name: "dying-relu", title: "Dying ReLU: a learning rate too large kills units for good",
            look:
                "A step that pushes a ReLU unit's pre-activation below zero for every image leaves it with slope 0: no gradient reaches it again, and it is dead. Watch the dead share (the last chart, solid) and the gradient norm fall to the ○ floor at lr 0.5; at 0.05 almost every unit lives. LeakyReLU keeps a small slope below zero, the textbook cure.",
            measured:
                "Measured with seed 1 (momentum 0.9, 256,128): ReLU at lr 0.5 ends at chance with nearly every unit of a layer dead; at 0.05 it reaches about 97%. The textbook cure does not survive this rate here: LeakyReLU diverges at 0.5 (so do ELU, SELU, Swish and LeakyReLU with α 0.2 or 0.3; ReLU itself still lives at 0.3), so the lesson's second verdict is expected not to hold, and the cure that works is the smaller rate.",
            plan: plan([.relu, .leakyRelu(alpha: 0.01)], [[256, 128]], rates: [.rate(0.05), .rate(0.5)], epochs: 2),
            focus: AblationCell(activation: .relu, seed: 1, learningRate: .rate(0.5)), judged: [.reluDies, .dyingReLU]),
        Lesson(
            name: "zero-centred", title: "Zero-centred outputs: sigmoid against tanh",
            look:
                "Sigmoid's outputs lie between 0 and 1, all positive, so for one image the gradients of the next layer's weights into a unit all share one sign: they can only all grow or all shrink together, and learning zig-zags. Tanh is a sigmoid stretched to (−1, 1) and centred on zero. Compare the two curves of loss, and each layer's mean activation under Layer by layer.",
            measured:
                "Measured with seed 1 (256,128, each activation's own learning rate): sigmoid's first layer's mean output sits well above zero, tanh's near it.",
            plan: plan([.sigmoid, .tanh], [[256, 128]], epochs: 2), focus: AblationCell(activation: .sigmoid, seed: 1),
            judged: [.zeroCentred])
    ]
}
