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
    public mutating func step(_ model: inout MLP<Float>, gradients: UnsafeBufferPointer<Float>, learningRate: Double) {
        let rule = Rule(self, learningRate: learningRate)
        let layers = model.layers
        model.parameters.withUnsafeMutableBufferPointer { w in
            velocity.withUnsafeMutableBufferPointer { v in
                for layer in layers {
                    rule.update(layer.weight, w: w, v: v, g: gradients, decay: rule.decay)
                    rule.update(layer.bias.lowerBound ..< layer.slope.upperBound, w: w, v: v, g: gradients, decay: 0)
                }
            }
        }
    }

    /// Whether `backwardAndStep` applies: Nesterov's update needs the raw weight gradient.
    public var canFuse: Bool { !nesterov }

    /// The backward pass and the update of one step together, for the forward pass just run on
    /// `inputs`. Each weight gradient is folded inside its GEMM straight into the velocity (or,
    /// without momentum, into the weights), which saves two passes over the largest arrays per
    /// step; the result equals `backward` + `step` up to rounding. Requires `canFuse`.
    public mutating func backwardAndStep(_ model: inout MLP<Float>, inputs: UnsafePointer<Float>, rows: Int,
                                         workspace: Workspace<Float>, learningRate: Double) {
        precondition(canFuse, "Nesterov momentum needs backward + step")
        let rule = Rule(self, learningRate: learningRate)
        let layers = model.layers
        let gradients = UnsafeBufferPointer(workspace.gradients)
        model.parameters.withUnsafeMutableBufferPointer { w in
            velocity.withUnsafeMutableBufferPointer { v in
                // Without momentum: w ← (1 − lr·λ)·w − lr·∇. With it: v ← μ·v + ∇, then v += λw and w −= lr·v below.
                let destination = rule.mu == 0
                    ? GradientDestination(buffer: w.baseAddress!, scale: -rule.lr, keep: 1 - rule.lr * rule.decay)
                    : GradientDestination(buffer: v.baseAddress!, scale: 1, keep: rule.mu)
                MLP<Float>.backward(layers: layers, parameters: UnsafePointer(w.baseAddress!), inputs: inputs, rows: rows,
                                    workspace: workspace, weights: destination)
                for layer in layers {
                    if rule.mu != 0 {
                        if rule.decay == 0 {
                            for i in layer.weight { w[i] -= rule.lr * v[i] }
                        } else {
                            for i in layer.weight {
                                v[i] += rule.decay * w[i]
                                w[i] -= rule.lr * v[i]
                            }
                        }
                    }
                    rule.update(layer.bias.lowerBound ..< layer.slope.upperBound, w: w, v: v, g: gradients, decay: 0)
                }
            }
        }
    }

    /// One step's constants and the element-wise update, one loop per case so that the hot loop
    /// carries no branch and momentum-free SGD touches no velocity.
    private struct Rule {
        let lr: Float, mu: Float, decay: Float, nesterov: Bool

        init(_ sgd: SGD, learningRate: Double) {
            (lr, mu, decay, nesterov) = (Float(learningRate), Float(sgd.momentum), Float(sgd.weightDecay), sgd.nesterov)
        }

        func update(_ range: Range<Int>, w: UnsafeMutableBufferPointer<Float>, v: UnsafeMutableBufferPointer<Float>,
                    g: UnsafeBufferPointer<Float>, decay lambda: Float) {
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
