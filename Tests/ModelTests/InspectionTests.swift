import Dataset
import Foundation
import Model
import Testing

/// `Inspection`: the per-unit values against an independent forward pass written here from the
/// checkpoint layout, the saliency against central finite differences of log p over the pixels,
/// and the dead/saturated verdicts on units forced to known pre-activations.
@Suite struct InspectionTests {
    static let side = 4
    static let activations: [Activation] =
        Activation.all + [.leakyRelu(alpha: 0.2), .swish(beta: 1.7), .elu(alpha: 0.5), .prelu(initial: 0.1)]

    /// A network with every weight, bias and slope set to a fixed spread of values (not trained:
    /// units sit on both sides of every kink).
    static func network(_ activation: Activation, hidden: [Int] = [7, 5]) -> MLP<Float> {
        let architecture = Architecture(
            inputs: side * side, hidden: hidden, activations: hidden.map { _ in activation }, outputs: 4)
        var model = MLP<Float>(architecture: architecture, seed: 5)
        for layer in model.layers {
            for i in layer.bias { model.parameters[i] = Float(i % 7) / 10 - 0.3 }
            for (k, i) in layer.slope.enumerated() { model.parameters[i] = 0.05 + Float(k) * 0.04 }
        }
        return model
    }

    static let input: [Float] = (0..<(side * side)).map { Float(($0 * 37) % 17) / 16 }

    /// The forward pass from the flat parameters alone (`out × in` weights row-major, then bias,
    /// then PReLU slopes), in Double: every hidden layer's pre-activations and activations, and the logits.
    static func independentForward(_ model: MLP<Float>, _ x: [Double]) -> (
        pre: [[Double]], post: [[Double]], logits: [Double]
    ) {
        var offset = 0, below = x
        var pre: [[Double]] = [], post: [[Double]] = []
        let widths = model.architecture.widths
        for l in 0..<(widths.count - 1) {
            let (n, m) = (widths[l], widths[l + 1])
            let w = offset, b = offset + n * m
            offset = b + m
            let activation = l < model.architecture.activations.count ? model.architecture.activations[l] : nil
            var slopes: [Double] = []
            if case .prelu? = activation {
                slopes = (0..<m).map { Double(model.parameters[offset + $0]) }
                offset += m
            }
            let z = (0..<m).map { j in
                (0..<n).reduce(Double(model.parameters[b + j])) {
                    $0 + Double(model.parameters[w + j * n + $1]) * below[$1]
                }
            }
            guard let activation else { return (pre, post, z) }
            let a = z.enumerated().map { j, v in activation.value(v, slope: slopes.isEmpty ? 0 : slopes[j]) }
            pre.append(z)
            post.append(a)
            below = a
        }
        fatalError("no output layer")
    }

    static func logProbability(_ logits: [Double], _ c: Int) -> Double {
        let peak = logits.max()!
        return logits[c] - peak - Double.log(logits.reduce(0) { $0 + Double.exp($1 - peak) })
    }

    @Test(arguments: activations)
    func unitsMatchAnIndependentForwardPass(_ activation: Activation) {
        let model = Self.network(activation)
        let inspection = Inspection(network: model, input: Self.input)
        let reference = Self.independentForward(model, Self.input.map(Double.init))
        for (l, layer) in inspection.layers.enumerated() {
            #expect(layer.activation == activation)
            for j in layer.activations.indices {
                #expect(
                    abs(Double(layer.preActivations[j]) - reference.pre[l][j]) <= 1e-5
                        * max(1, abs(reference.pre[l][j])), "\(activation) layer \(l) unit \(j) pre")
                #expect(
                    abs(Double(layer.activations[j]) - reference.post[l][j]) <= 1e-5
                        * max(1, abs(reference.post[l][j])), "\(activation) layer \(l) unit \(j)")
            }
        }
        let peak = reference.logits.max()!
        let total = reference.logits.reduce(0) { $0 + Double.exp($1 - peak) }
        for (c, p) in inspection.probabilities.enumerated() {
            #expect(abs(Double(p) - Double.exp(reference.logits[c] - peak) / total) < 1e-6)
        }
        #expect(
            inspection.target
                == inspection.probabilities.indices.max { inspection.probabilities[$0] < inspection.probabilities[$1] })
    }

    /// Central differences with h = 1e-6 in Double; agreement within 1e-6 absolute plus 1e-4 relative
    /// (a pixel whose ±h step crossed a kink of ReLU-like units would miss; none of these does).
    @Test(arguments: activations)
    func saliencyEqualsFiniteDifferencesOfLogP(_ activation: Activation) {
        let model = Self.network(activation)
        for target in [nil, 2] as [Int?] {
            let inspection = Inspection(network: model, input: Self.input, target: target)
            let c = inspection.target
            let x = Self.input.map(Double.init)
            var largest = 0.0
            for i in x.indices {
                let h = 1e-6
                var plus = x, minus = x
                plus[i] += h
                minus[i] -= h
                let numeric =
                    (Self.logProbability(Self.independentForward(model, plus).logits, c)
                        - Self.logProbability(Self.independentForward(model, minus).logits, c)) / (2 * h)
                let analytic = Double(inspection.saliency[i])
                largest = max(largest, abs(numeric))
                #expect(
                    abs(numeric - analytic) <= 1e-6 + 1e-4 * abs(numeric),
                    "\(activation), class \(c), pixel \(i): numeric \(numeric), analytic \(analytic)")
                #expect(abs(Double(inspection.inputTimesGradient[i]) - analytic * x[i]) <= 1e-6)
            }
            if activation != .step { #expect(largest > 1e-4, "\(activation): a saliency map of zeros tests nothing") }
        }
    }

    /// Contributions are activation × ∂ log p / ∂ activation: nudging one unit's activation by h
    /// (in the independent pass, from the layer above on) changes log p by about contribution · h / activation.
    @Test func contributionsAreActivationTimesGradient() {
        let model = Self.network(.tanh, hidden: [6])
        let inspection = Inspection(network: model, input: Self.input)
        let layer = inspection.layers[0]
        let reference = Self.independentForward(model, Self.input.map(Double.init))
        let out = model.layers[1]
        for j in 0..<6 {
            func logP(_ delta: Double) -> Double {
                var a = reference.post[0]
                a[j] += delta
                let logits = (0..<out.outputs).map { k in
                    (0..<6).reduce(Double(model.parameters[out.bias.lowerBound + k])) {
                        $0 + Double(model.parameters[out.weight.lowerBound + k * 6 + $1]) * a[$1]
                    }
                }
                return Self.logProbability(logits, inspection.target)
            }
            let gradient = (logP(1e-6) - logP(-1e-6)) / 2e-6
            #expect(abs(Double(layer.contributions[j]) - reference.post[0][j] * gradient) < 1e-6, "unit \(j)")
        }
        let top = layer.topUnits(3)
        let pushing = layer.contributions.filter { $0 > 0 }.count
        #expect(top.count == min(3, pushing) && !top.isEmpty)
        #expect(zip(top, top.dropFirst()).allSatisfy { layer.contributions[$0] >= layer.contributions[$1] })
        #expect(layer.contributions.allSatisfy { $0 <= layer.contributions[top[0]] })
        #expect(top.allSatisfy { layer.contributions[$0] > 0 })
    }

    /// A dead network (every ReLU off: zero weights, negative biases) has no unit pushing toward
    /// any class, so none is named as pushing hardest.
    @Test func aDeadLayerNamesNoUnitAsPushing() {
        var model = Self.network(.relu, hidden: [6])
        let first = model.layers[0]
        for i in first.weight { model.parameters[i] = 0 }
        for i in first.bias { model.parameters[i] = -1 }
        let layer = Inspection(network: model, input: Self.input).layers[0]
        #expect(layer.contributions.allSatisfy { $0 == 0 } && layer.offFraction == 1)
        #expect(layer.topUnits(5).isEmpty)
    }

    /// Three units forced to pre-activations −5, 2 and 8: which are off or saturated depends on the activation.
    @Test(arguments: [
        (Activation.relu, [Inspection.UnitState.off, .active, .active]),
        (.leakyRelu(alpha: 0.2), [.active, .active, .active]),
        // f′ = 0.01 < 5% of 1, but a line, not a flat tail: active, never saturated
        (.leakyRelu(alpha: 0.01), [.active, .active, .active]),
        (.sigmoid, [.saturated, .active, .saturated]),  // σ′(−5) = 0.0066 and σ′(8) = 0.0003 against 5% of 1/4
        (.tanh, [.saturated, .active, .saturated]),  // tanh′(2) = 0.071 ≥ 0.05
        (.elu(alpha: 1), [.saturated, .active, .active]),  // e⁻⁵ = 0.0067
        (.swish(beta: 1), [.saturated, .active, .active]),
        (.softplus, [.saturated, .active, .active]),  // σ(−5) = 0.0067
        (.step, [.off, .off, .off]),
        (.identity, [.active, .active, .active])
    ])
    func deadAndSaturatedUnitsOnConstructedInputs(_ activation: Activation, _ expected: [Inspection.UnitState]) {
        let architecture = Architecture(inputs: 4, hidden: [3], activations: [activation], outputs: 2)
        var model = MLP<Float>(architecture: architecture, seed: 1)
        let first = model.layers[0]
        for i in first.weight { model.parameters[i] = 0 }
        for (j, bias) in [Float(-5), 2, 8].enumerated() { model.parameters[first.bias.lowerBound + j] = bias }
        let inspection = Inspection(network: model, input: [0.3, 0.1, 0.9, 0.5])
        let layer = inspection.layers[0]
        #expect(layer.preActivations == [-5, 2, 8])
        #expect(layer.states == expected, "\(activation)")
        #expect(layer.offFraction == Double(expected.filter { $0 == .off }.count) / 3)
        #expect(layer.saturatedFraction == Double(expected.filter { $0 == .saturated }.count) / 3)
    }
}

/// `LiveProbe`: the playground's figures against the library's own evaluation and backward pass.
@Suite struct LiveFiguresTests {
    @Test func figuresAgreeWithEvaluationAndBackward() {
        let architecture = Architecture(inputs: 16, hidden: [12, 8], activations: [.relu, .sigmoid], outputs: 3)
        var model = MLP<Float>(architecture: architecture, seed: 4)
        // Two ReLUs forced dead (bias −100) and three sigmoids pinned in their tails (bias ±30).
        for j in 0..<2 { model.parameters[model.layers[0].bias.lowerBound + j] = -100 }
        for (j, bias) in [Float(30), -30, 30].enumerated() {
            model.parameters[model.layers[1].bias.lowerBound + j] = bias
        }
        let count = 40
        let pixels: [Float] = (0..<(count * 16)).map { Float(($0 * 7919) % 23) / 22 }
        let labels = (0..<count).map { UInt8($0 % 3) }
        let data = DigitDataset(pixels: pixels, labels: labels, rows: 4, cols: 4)
        let probe = LiveProbe(architecture: architecture, data: data, picturedUnits: 3)
        let figures = probe.measure(model)

        let evaluation = Evaluation(model: model, data: data)
        #expect(abs(figures.loss - evaluation.loss) < 1e-5)
        #expect(figures.accuracy == evaluation.accuracy)
        // Dead: off (f′ = 0) for every image, as Inspection judges each; saturated: not dead, not
        // piecewise linear (a ReLU that fires on few images is rarely on, not saturated), and a
        // mean |f′| under 5% of the steepest (1/4 for sigmoid), from Inspection's pre-activations.
        let inspections = (0..<count).map { Inspection(network: model, input: Array(pixels[$0 * 16..<($0 + 1) * 16])) }
        for (l, layer) in figures.layers.enumerated() {
            let width = architecture.hidden[l], activation = architecture.activations[l]
            let dead = (0..<width).filter { j in inspections.allSatisfy { $0.layers[l].states[j] == .off } }
            let saturated = (0..<width).filter { j in
                !dead.contains(j) && !activation.isPiecewiseLinear
                    && inspections.map { Double(abs(activation.derivative($0.layers[l].preActivations[j]))) }.reduce(
                        0, +) / Double(count)
                        < 0.05 * activation.peakDerivative
            }
            #expect(layer.deadFraction == Double(dead.count) / Double(width), "layer \(l)")
            #expect(layer.saturatedFraction == Double(saturated.count) / Double(width), "layer \(l)")
            #expect(
                l == 0 ? dead.count >= 2 : saturated.count >= 3,
                "the forced units count: layer \(l), dead \(dead), saturated \(saturated)")
            #expect(layer.histogram.reduce(0, +) + layer.below + layer.above == count * architecture.hidden[l])
            #expect(layer.histogram.count == LiveFigures.histogramBins)
        }
        // The gradient norms are those of the mean loss's gradient from the library's backward pass.
        let workspace = Workspace<Float>(architecture: architecture, capacity: count)
        let y = labels.map(Int32.init)
        pixels.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                model.forward(x.baseAddress!, rows: count, workspace: workspace)
                _ = SoftmaxCrossEntropy.evaluate(
                    logits: workspace.logits, labels: y.baseAddress!, rows: count, classes: 3,
                    gradient: workspace.logitGradient, gradientScale: 1 / Float(count))
                model.backward(x.baseAddress!, rows: count, workspace: workspace)
            }
        }
        // Float sums in another order (oneDNN picks its kernel by the buffers' alignment), and the mean
        // gradient cancels most of the per-example terms, which magnifies their rounding: 1e-3 relative.
        for l in 0..<2 {
            let norm = model.layers[l].weight.reduce(0.0) {
                $0 + Double(workspace.gradients[$1]) * Double(workspace.gradients[$1])
            }.squareRoot()
            #expect(abs(figures.layers[l].gradientNorm - norm) <= 1e-3 * norm)
            #expect(norm > 0)
        }
        // Pictures: the three most active units, then the three least, each its weights at int8 scale.
        #expect(figures.units.count == 6)
        let activities = figures.units.map(\.activity)
        #expect(activities[0] >= activities[1] && activities[1] >= activities[2] && activities[2] >= activities[3])
        for unit in figures.units {
            let first = model.layers[0]
            let row = model.parameters[
                first.weight.lowerBound + unit.unit * 16..<first.weight.lowerBound + (unit.unit + 1) * 16]
            #expect(unit.scale == row.map(abs).max())
            for (w, q) in zip(row, unit.weights) { #expect(abs(Float(q) - w / unit.scale * 127) <= 0.5 + 1e-4) }
        }
        // Measuring changes nothing.
        #expect(probe.measure(model) == figures)
    }
}
