/// Mini-batch stochastic gradient descent with (Nesterov) momentum and L2 weight decay on the
/// weights (not on biases or PReLU slopes), in PyTorch's formulation:
/// g ← ∇ + λw;  v ← μv + g;  w ← w − lr · (nesterov ? g + μv : v).
public struct SGD: Sendable, Equatable {
    public var momentum: Double
    public var nesterov: Bool
    public var weightDecay: Double
    /// The momentum buffer, laid out like the network's parameters.
    public var velocity: [Float]

    public init(parameterCount: Int, momentum: Double = 0.9, nesterov: Bool = false, weightDecay: Double = 0) {
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        velocity = [Float](repeating: 0, count: parameterCount)
    }

    /// Applies one update with `gradients` (from `MLP.backward`) at learning rate `learningRate`.
    /// A reference for the tests: training updates inside `TrainingStep`.
    public mutating func step(_ model: inout MLP<Float>, gradients: UnsafeBufferPointer<Float>, learningRate: Double) {
        let layers = model.layers
        let rule = Rule(self, learningRate: learningRate)
        model.parameters.withUnsafeMutableBufferPointer { w in
            velocity.withUnsafeMutableBufferPointer { v in
                let update = StepUpdate(
                    rule: rule, fused: false, w: w.baseAddress!, v: v.baseAddress!,
                    g: UnsafeMutablePointer(mutating: gradients.baseAddress!))
                for layer in layers { update.finish(layer, units: 0..<layer.outputs) }
            }
        }
    }

    /// Whether the weight gradient can be folded into the update inside its GEMM: Nesterov's update
    /// needs the raw weight gradient.
    public var canFuse: Bool { !nesterov }

    /// The backward pass and the update of one step together, for the forward pass just run on
    /// `inputs`. Each weight gradient is folded inside its GEMM straight into the velocity (or,
    /// without momentum, into the weights), which saves two passes over the largest arrays per
    /// step; the result equals `backward` + `step` up to rounding. Requires `canFuse`. A single-thread
    /// reference for the tests: training runs the same fusion, split over threads, in `TrainingStep`.
    public mutating func backwardAndStep(
        _ model: inout MLP<Float>, inputs: UnsafePointer<Float>, rows: Int,
        workspace: Workspace<Float>, learningRate: Double
    ) {
        precondition(canFuse, "Nesterov momentum needs backward + step")
        let layers = model.layers
        let rule = Rule(self, learningRate: learningRate)
        model.parameters.withUnsafeMutableBufferPointer { w in
            velocity.withUnsafeMutableBufferPointer { v in
                let update = StepUpdate(
                    rule: rule, fused: true, w: w.baseAddress!, v: v.baseAddress!, g: workspace.gradients.baseAddress!)
                MLP<Float>.backward(
                    layers: layers, parameters: UnsafePointer(w.baseAddress!), inputs: inputs, rows: rows,
                    workspace: workspace, weights: update.destination, as: .alone,
                    finished: { update.finish(layers[$0], units: $1) })
            }
        }
    }

    /// One step's update of the parameters `w` and velocity `v`, done layer by layer and unit by unit
    /// as the backward pass produces the gradients, so that threads each update the rows they computed.
    struct StepUpdate {
        let rule: Rule
        /// Fused: each weight gradient goes inside its GEMM into the velocity, or without momentum
        /// straight into the weights. Otherwise into `g`, the gradient buffer, for Nesterov and for
        /// diagnostics that measure it.
        let fused: Bool
        let w: UnsafeMutablePointer<Float>
        let v: UnsafeMutablePointer<Float>
        let g: UnsafeMutablePointer<Float>

        init(
            rule: Rule, fused: Bool, w: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
            g: UnsafeMutablePointer<Float>
        ) {
            precondition(!fused || !rule.nesterov, "Nesterov momentum needs the raw gradient")
            (self.rule, self.fused, self.w, self.v, self.g) = (rule, fused, w, v, g)
        }

        /// Where the backward pass sends the weight gradients. Fused without momentum:
        /// w ← (1 − lr·λ)·w − lr·∇; with momentum: v ← μ·v + ∇, and `finish` adds λw and steps w.
        var destination: GradientDestination<Float> {
            if !fused { return GradientDestination(buffer: g, scale: 1, keep: 0) }
            return rule.mu == 0
                ? GradientDestination(buffer: w, scale: -rule.lr, keep: 1 - rule.lr * rule.decay)
                : GradientDestination(buffer: v, scale: 1, keep: rule.mu)
        }

        /// The rest of the update for `units` of `layer`, once their gradients are where `destination` says.
        func finish(_ layer: DenseLayout, units: Range<Int>) {
            guard !units.isEmpty else { return }
            let weightRows =
                layer.weight.lowerBound + units.lowerBound * layer.inputs..<layer.weight.lowerBound + units.upperBound
                * layer.inputs
            if !fused {
                rule.update(weightRows, w: w, v: v, g: g, decay: rule.decay)
            } else if rule.mu != 0 {
                if rule.decay == 0 {
                    for i in weightRows { w[i] -= rule.lr * v[i] }
                } else {
                    for i in weightRows {
                        v[i] += rule.decay * w[i]
                        w[i] -= rule.lr * v[i]
                    }
                }
            }
            rule.update(
                layer.bias.lowerBound + units.lowerBound..<layer.bias.lowerBound + units.upperBound, w: w, v: v, g: g,
                decay: 0)
            if !layer.slope.isEmpty {
                rule.update(
                    layer.slope.lowerBound + units.lowerBound..<layer.slope.lowerBound + units.upperBound, w: w, v: v,
                    g: g, decay: 0)
            }
        }
    }

    /// One step's constants and the element-wise update, one loop per case so that the hot loop
    /// carries no branch and momentum-free SGD touches no velocity.
    struct Rule {
        let lr: Float, mu: Float, decay: Float, nesterov: Bool

        init(_ sgd: SGD, learningRate: Double) {
            (lr, mu, decay, nesterov) = (Float(learningRate), Float(sgd.momentum), Float(sgd.weightDecay), sgd.nesterov)
        }

        func update(
            _ range: Range<Int>, w: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
            g: UnsafePointer<Float>, decay lambda: Float
        ) {
            if mu == 0 {
                for i in range { w[i] -= lr * (g[i] + lambda * w[i]) }
            } else if nesterov {
                for i in range {
                    let gi = g[i] + lambda * w[i]
                    let vi = mu * v[i] + gi
                    v[i] = vi
                    w[i] -= lr * (gi + mu * vi)
                }
            } else {
                for i in range {
                    let vi = mu * v[i] + g[i] + lambda * w[i]
                    v[i] = vi
                    w[i] -= lr * vi
                }
            }
        }
    }
}
