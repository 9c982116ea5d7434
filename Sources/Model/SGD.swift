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

    /// Applies one update with `gradients` at learning rate `learningRate`.
    public mutating func step(_ model: inout MLP<Float>, gradients: UnsafeBufferPointer<Float>, learningRate: Double) {
        let lr = Float(learningRate), mu = Float(momentum)
        let nesterov = self.nesterov
        let layers = model.layers
        let decay = Float(weightDecay)
        model.parameters.withUnsafeMutableBufferPointer { w in
            velocity.withUnsafeMutableBufferPointer { v in
                func update(_ range: Range<Int>, decay lambda: Float) {
                    for i in range {
                        let g = gradients[i] + lambda * w[i]
                        let vi = mu * v[i] + g
                        v[i] = vi
                        w[i] -= lr * (nesterov ? g + mu * vi : vi)
                    }
                }
                for layer in layers {
                    update(layer.weight, decay: decay)
                    update(layer.bias.lowerBound ..< layer.slope.upperBound, decay: 0)
                }
            }
        }
    }
}
