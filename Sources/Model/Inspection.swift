/// What a network does with one input: every hidden unit's pre-activation and activation, which
/// units are dead or saturated for it, which carried the answer, and the saliency map
/// ∂ log p(class) / ∂ pixel. `trainer inspect`, `serve`'s Inside view and its playground runs
/// all read a digit through this.
///
/// It runs in `Double` through the same layer code as training (`DenseLayout`'s forward,
/// activation backward and input-gradient passes), so the saliency is the trainer's own backward
/// pass carried one layer further, to the pixels, and agrees with finite differences of the
/// forward pass to ~1e-7.
public struct Inspection: Sendable {
    /// How one hidden unit stands for this input.
    public enum UnitState: Int, Sendable, Codable {
        /// Its derivative is neither zero nor tiny: a gradient passes through it.
        case active = 0
        /// Off for this input: its derivative is exactly zero (a ReLU below zero, any step unit),
        /// so nothing flows back through it. Only a unit off for every input is dead.
        case off = 1
        /// Its derivative is below `Inspection.saturationThreshold` of the activation's peak (sigmoid and
        /// tanh far from zero, ELU far below it): almost nothing flows back. Never a piecewise-linear
        /// unit: LeakyReLU's slope α on the negative side is a line, not a flat tail.
        case saturated = 2
    }

    /// A unit counts as saturated when f′ is below this share of the activation's steepest slope.
    public static let saturationThreshold = 0.05

    public struct Layer: Sendable {
        public let activation: Activation
        public let preActivations: [Float]
        public let activations: [Float]
        public let states: [UnitState]
        /// activation × ∂ log p(class) / ∂ activation: how much each unit pushed toward the class
        /// (input × gradient at this layer; positive for, negative against).
        public let contributions: [Float]

        public var offFraction: Double { fraction(of: .off) }
        public var saturatedFraction: Double { fraction(of: .saturated) }

        /// Up to `count` units that pushed toward the class (a positive contribution), strongest
        /// first; none when no unit did, as in a dead network, whose units all contribute 0.
        public func topUnits(_ count: Int) -> [Int] {
            Array(
                contributions.indices.filter { contributions[$0] > 0 }.sorted {
                    contributions[$0] > contributions[$1] || (contributions[$0] == contributions[$1] && $0 < $1)
                }
                .prefix(count))
        }

        private func fraction(of state: UnitState) -> Double {
            states.isEmpty ? 0 : Double(states.filter { $0 == state }.count) / Double(states.count)
        }
    }

    /// One probability per class.
    public let probabilities: [Float]
    /// The class explained: the most likely one unless another was asked for.
    public let target: Int
    public let layers: [Layer]
    /// ∂ log p(target) / ∂ pixel, one per input.
    public let saliency: [Float]
    /// The input itself, as the network saw it.
    public let input: [Float]

    /// input × saliency: how much each pixel's ink, as it is, pushed toward the class.
    public var inputTimesGradient: [Float] { zip(input, saliency).map { $0 * $1 } }

    /// Reads `input` (`network.architecture.inputs` values) through `network` and explains
    /// `target` (default: the most likely class).
    public init(network: MLP<Float>, input: [Float], target: Int? = nil) {
        self.init(network: network.parameters.map(Double.init), layers: network.layers, input: input, target: target)
    }

    /// The same on parameters already converted to `Double`, for callers that inspect many inputs
    /// with one network (`Inspector`).
    init(network parameters: [Double], layers: [DenseLayout], input: [Float], target: Int?) {
        precondition(input.count == layers[0].inputs, "one input of the network's width")
        let top = layers.count - 1
        let x = input.map(Double.init)
        var pre = layers.map { [Double](repeating: 0, count: $0.outputs) }
        var post = pre
        // PReLU's backward writes its slope gradient; nothing else does, so only PReLU needs room for it.
        let hasSlopes = layers.contains { !$0.slope.isEmpty }
        var slopeGradients = [Double](repeating: 0, count: hasSlopes ? parameters.count : 1)

        parameters.withUnsafeBufferPointer { p in
            var below = x
            for (l, layer) in layers.enumerated() {
                below.withUnsafeBufferPointer { input in
                    layer.forward(
                        input: input.baseAddress!, rows: 1, parameters: p.baseAddress!, pre: &pre[l], post: &post[l],
                        units: 0..<layer.outputs)
                }
                below = post[l]
            }
        }
        let logits = pre[top]
        let peak = logits.max()!
        let exps = logits.map { Double.exp($0 - peak) }
        let total = exps.reduce(0, +)
        let probabilities = exps.map { $0 / total }
        let target = target ?? probabilities.indices.max { probabilities[$0] < probabilities[$1] }!

        // ∂ log p(target) / ∂ logits = onehot(target) − p; then down through each layer.
        var delta = probabilities.enumerated().map { ($0.offset == target ? 1 : 0) - $0.element }
        var activationGradients = layers.map { [Double](repeating: 0, count: $0.outputs) }
        var saliency = [Double](repeating: 0, count: layers[0].inputs)
        parameters.withUnsafeBufferPointer { p in
            for l in stride(from: top, through: 0, by: -1) {
                let layer = layers[l]
                var gradientBelow = [Double](repeating: 0, count: layer.inputs)
                delta.withUnsafeBufferPointer { d in
                    layer.inputGradient(
                        rows: 1, delta: d.baseAddress!, parameters: p.baseAddress!, into: &gradientBelow,
                        columns: 0..<layer.inputs)
                }
                if l == 0 {
                    saliency = gradientBelow
                } else {
                    activationGradients[l - 1] = gradientBelow
                    layers[l - 1].activationBackward(
                        rows: 1, pre: pre[l - 1], post: post[l - 1], delta: &gradientBelow,
                        parameters: p.baseAddress!, gradients: &slopeGradients, units: 0..<layer.inputs)
                    delta = gradientBelow
                }
            }
        }

        self.layers = (0..<top).map { l in
            let layer = layers[l]
            let states = (0..<layer.outputs).map { j -> UnitState in
                let slope = layer.slope.isEmpty ? 0 : parameters[layer.slope.lowerBound + j]
                let derivative = Swift.abs(layer.activation.derivative(pre[l][j], slope: slope))
                let peak = layer.slope.isEmpty ? layer.activation.peakDerivative : Swift.max(1, Swift.abs(slope))
                if derivative == 0 { return .off }
                let flat = !layer.activation.isPiecewiseLinear && derivative < Self.saturationThreshold * peak
                return flat ? .saturated : .active
            }
            return Layer(
                activation: layer.activation, preActivations: pre[l].map(Float.init),
                activations: post[l].map(Float.init),
                states: states, contributions: zip(post[l], activationGradients[l]).map { Float($0 * $1) })
        }
        self.probabilities = probabilities.map(Float.init)
        self.target = target
        self.saliency = saliency.map(Float.init)
        self.input = input
    }
}

/// Inspects many inputs with one network, converting its parameters to `Double` once.
public struct Inspector: Sendable {
    public let network: MLP<Float>
    private let parameters: [Double]

    public init(network: MLP<Float>) {
        self.network = network
        parameters = network.parameters.map(Double.init)
    }

    public func inspect(_ input: [Float], target: Int? = nil) -> Inspection {
        Subnormals.flushInThisThread()
        return Inspection(network: parameters, layers: network.layers, input: input, target: target)
    }
}
