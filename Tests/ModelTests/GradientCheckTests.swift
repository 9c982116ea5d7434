import Testing
import Foundation

@testable import Model

@Suite struct GradientCheckTests {
    /// Mean cross-entropy (with `.mse`, mean ½ Σ (softmax − one-hot)²; with label smoothing ε, the
    /// cross-entropy against (1 − ε) · one-hot + ε / classes) of `model` on a fixed batch, and its
    /// back-propagated gradient.
    static func lossAndGradient(
        _ model: MLP<Double>, _ x: [Double], _ labels: [Int32], dropout: Dropout? = nil,
        objective: TrainingObjective = TrainingObjective()
    ) -> (Double, [Double]) {
        let rows = labels.count
        let workspace = Workspace<Double>(architecture: model.architecture, capacity: rows, dropout: dropout != nil)
        return x.withUnsafeBufferPointer { xp in
            labels.withUnsafeBufferPointer { lp in
                model.forward(xp.baseAddress!, rows: rows, workspace: workspace, dropout: dropout)
                let classes = model.architecture.outputs
                var (loss, _) = SoftmaxCrossEntropy.evaluate(
                    logits: workspace.logits, labels: lp.baseAddress!, rows: rows, classes: classes,
                    gradient: workspace.logitGradient, gradientScale: 1 / Double(rows))
                if objective != TrainingObjective() {
                    // The loss straight from its definition; the gradient as the training step makes it.
                    loss = 0
                    for r in 0..<rows {
                        let p = SoftmaxCrossEntropy.probabilities(workspace.logits + r * classes, classes: classes)
                        for c in 0..<classes {
                            let y: Double = c == Int(lp[r]) ? 1 : 0
                            switch objective.outputLoss {
                            case .mse: loss += (p[c] - y) * (p[c] - y) / 2
                            case .crossEntropy:
                                let target =
                                    (1 - objective.labelSmoothing) * y
                                    + objective.labelSmoothing / Double(classes)
                                loss -= target * log(p[c])
                            }
                        }
                        objective.adjust(
                            workspace.logitGradient + r * classes, label: Int(lp[r]), classes: classes,
                            scale: 1 / Double(rows))
                    }
                }
                model.backward(xp.baseAddress!, rows: rows, workspace: workspace, dropout: dropout)
                return (loss / Double(rows), Array(workspace.gradients))
            }
        }
    }

    static let pairs: [[Activation]] = [
        [.relu, .relu], [.leakyRelu(alpha: 0.1), .tanh], [.sigmoid, .swish(beta: 1)], [.elu(alpha: 1), .gelu],
        [.softplus, .prelu(initial: 0.25)], [.prelu(initial: 0.1), .identity], [.swish(beta: 2), .sigmoid],
        [.softsign, .selu], [.mish, .softsign], [.selu, .mish]
    ]

    @Test(arguments: pairs, [nil, Dropout(rate: 0.4, seed: 2, epoch: 1, batch: 3)])
    func networkGradientMatchesFiniteDifferences(_ activations: [Activation], dropout: Dropout?) {
        let architecture = Architecture(inputs: 6, hidden: [5, 4], activations: activations, outputs: 3)
        var model = MLP<Double>(architecture: architecture, seed: 3)
        // Non-zero biases so that units sit on both sides of the kinks.
        for layer in model.layers { for i in layer.bias { model.parameters[i] = Double(i % 5) / 10 - 0.2 } }
        let x: [Double] = (0..<24).map { (i: Int) -> Double in Double((i * 7919) % 23) / 11 - 1 }
        let labels: [Int32] = [0, 2, 1, 2]
        let (_, analytic) = Self.lossAndGradient(model, x, labels, dropout: dropout)
        for i in model.parameters.indices {
            let h = 1e-6
            var plus = model, minus = model
            plus.parameters[i] += h
            minus.parameters[i] -= h
            // The same dropout masks on both sides: they come from the step, not the weights.
            let numeric =
                (Self.lossAndGradient(plus, x, labels, dropout: dropout).0
                    - Self.lossAndGradient(minus, x, labels, dropout: dropout).0) / (2 * h)
            let error = abs(numeric - analytic[i]) / max(1e-6, abs(numeric) + abs(analytic[i]))
            #expect(
                error < 1e-4 || abs(numeric - analytic[i]) < 1e-9,
                "\(activations), dropout \(dropout?.rate ?? 0), parameter \(i): numeric \(numeric), analytic \(analytic[i])"
            )
        }
    }

    /// Squared error on the softmax's outputs (`--loss mse`): its gradient through the softmax's
    /// Jacobian, then the network; and cross-entropy on smoothed labels (`--label-smoothing`):
    /// each against finite differences of the loss as defined.
    @Test(
        arguments: [[Activation.sigmoid, .relu], [.tanh, .swish(beta: 1)]],
        [
            TrainingObjective(outputLoss: .mse), TrainingObjective(labelSmoothing: 0.1),
            TrainingObjective(labelSmoothing: 0.5)
        ])
    func objectiveGradientMatchesFiniteDifferences(_ activations: [Activation], objective: TrainingObjective) {
        let architecture = Architecture(inputs: 6, hidden: [5, 4], activations: activations, outputs: 3)
        var model = MLP<Double>(architecture: architecture, seed: 5)
        for layer in model.layers { for i in layer.bias { model.parameters[i] = Double(i % 5) / 10 - 0.2 } }
        // Large output weights make some outputs confident, right and wrong, where the gradient fades.
        for i in model.layers.last!.weight { model.parameters[i] *= 4 }
        let x: [Double] = (0..<24).map { (i: Int) -> Double in Double((i * 7919) % 23) / 11 - 1 }
        let labels: [Int32] = [0, 2, 1, 2]
        let (_, analytic) = Self.lossAndGradient(model, x, labels, objective: objective)
        let (_, crossEntropy) = Self.lossAndGradient(model, x, labels)
        #expect(analytic != crossEntropy, "the setting changes the gradient")
        for i in model.parameters.indices {
            let h = 1e-6
            var plus = model, minus = model
            plus.parameters[i] += h
            minus.parameters[i] -= h
            let numeric =
                (Self.lossAndGradient(plus, x, labels, objective: objective).0
                    - Self.lossAndGradient(minus, x, labels, objective: objective).0) / (2 * h)
            let error = abs(numeric - analytic[i]) / max(1e-6, abs(numeric) + abs(analytic[i]))
            #expect(
                error < 1e-4 || abs(numeric - analytic[i]) < 1e-9,
                "\(activations), \(objective), parameter \(i): numeric \(numeric), analytic \(analytic[i])")
        }
    }

    /// Confidently wrong, squared error's gradient all but vanishes; cross-entropy's is largest.
    @Test func squaredErrorsGradientFadesWhenConfidentlyWrong() {
        let logits: [Double] = [12, 0, 0]
        var gradient = [Double](repeating: 0, count: 3)
        let magnitude = { (loss: OutputLoss) -> Double in
            logits.withUnsafeBufferPointer { l in
                [Int32(1)].withUnsafeBufferPointer { y in
                    gradient.withUnsafeMutableBufferPointer { g in
                        _ = SoftmaxCrossEntropy.evaluate(
                            logits: l.baseAddress!, labels: y.baseAddress!, rows: 1, classes: 3,
                            gradient: g.baseAddress!)
                        if loss == .mse {
                            OutputLoss.squaredErrorGradient(g.baseAddress!, label: 1, classes: 3, scale: 1)
                        }
                    }
                }
            }
            return gradient.map { $0 * $0 }.reduce(0, +).squareRoot()
        }
        #expect(magnitude(.crossEntropy) > 1.3 && magnitude(.mse) < 1e-4)
    }

    /// Dropout really drops about its rate of the hidden outputs, scales the rest, and changes the loss.
    @Test func dropoutDropsItsRateAndNothingElse() {
        let architecture = Architecture(inputs: 6, hidden: [40, 24], activations: [.relu, .tanh], outputs: 3)
        let model = MLP<Double>(architecture: architecture, seed: 3)
        let rows = 50
        let x: [Double] = (0..<rows * 6).map { Double(($0 * 7919) % 23) / 11 - 1 }
        let labels = (0..<rows).map { Int32($0 % 3) }
        let dropout = Dropout(rate: 0.3, seed: 1, epoch: 0, batch: 0)
        let workspace = Workspace<Double>(architecture: architecture, capacity: rows, dropout: true)
        x.withUnsafeBufferPointer { model.forward($0.baseAddress!, rows: rows, workspace: workspace, dropout: dropout) }
        var zeros = 0, kept = 0
        for l in 0..<2 {
            let width = architecture.hidden[l]
            let post = workspace.activations(layer: l), dropped = workspace.droppedActivations(layer: l)!
            for i in 0..<rows * width where post[i] != 0 {
                if dropped[i] == 0 {
                    zeros += 1
                } else {
                    kept += 1
                    #expect(abs(dropped[i] - post[i] / 0.7) < 1e-12)
                }
            }
        }
        let rate = Double(zeros) / Double(zeros + kept)
        #expect(abs(rate - 0.3) < 0.05, "dropped \(rate) of the units")
        #expect(Self.lossAndGradient(model, x, labels, dropout: dropout).0 != Self.lossAndGradient(model, x, labels).0)
        // Another step draws other masks; the same step the same ones.
        let other = Dropout(rate: 0.3, seed: 1, epoch: 0, batch: 1)
        #expect(
            Self.lossAndGradient(model, x, labels, dropout: other).0
                != Self.lossAndGradient(model, x, labels, dropout: dropout).0)
        #expect(
            Self.lossAndGradient(model, x, labels, dropout: dropout)
                == Self.lossAndGradient(model, x, labels, dropout: dropout))
    }

    @Test func softmaxCrossEntropyIsStableForHugeLogits() {
        let logits: [Float] = [1e4, -1e4, 0, 1e4 - 1, -5, 3, 2, 1, 0, 0]
        var gradient = [Float](repeating: 0, count: 10)
        let (loss, correct) = logits.withUnsafeBufferPointer { l in
            [Int32(1)].withUnsafeBufferPointer { y in
                gradient.withUnsafeMutableBufferPointer { g in
                    SoftmaxCrossEntropy.evaluate(
                        logits: l.baseAddress!, labels: y.baseAddress!, rows: 1, classes: 10, gradient: g.baseAddress!)
                }
            }
        }
        #expect(loss.isFinite && abs(loss - 20000.313) < 0.01)
        #expect(correct == 0)
        #expect(gradient.allSatisfy { $0.isFinite })
        #expect(abs(gradient.reduce(0, +)) < 1e-5)
        #expect(abs(gradient[1] + 1) < 1e-6)
        let p = logits.withUnsafeBufferPointer { SoftmaxCrossEntropy.probabilities($0.baseAddress!, classes: 10) }
        #expect(abs(p.reduce(0, +) - 1) < 1e-6)
        #expect(abs(p[0] - 0.7310586) < 1e-5 && p[1] == 0)
    }
}
