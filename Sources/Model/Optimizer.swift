import CKernels
import Foundation

/// Which update rule trains the network (`--optimizer`).
public enum OptimizerKind: String, CaseIterable, Sendable, Codable {
    /// Stochastic gradient descent with (Nesterov) momentum.
    case sgd
    /// Adam (Kingma & Ba 2015), bias-corrected; with weight decay, decoupled as AdamW.
    case adam
}

/// The optimiser, in PyTorch's formulations, with weight decay on the weights only (not on biases
/// or PReLU slopes):
/// - SGD: g ← ∇ + λw;  v ← μv + g;  w ← w − lr · (nesterov ? g + μv : v).
/// - Adam (AdamW's decoupled decay): t ← t + 1;  m ← β₁m + (1 − β₁)∇;  s ← β₂s + (1 − β₂)∇²;
///   w ← w(1 − lr·λ) − (lr / (1 − β₁ᵗ)) · m / (√s / √(1 − β₂ᵗ) + ε).
public struct Optimizer: Sendable, Equatable {
    public var kind: OptimizerKind
    public var momentum: Double
    public var nesterov: Bool
    public var weightDecay: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// SGD's momentum buffer, or Adam's first moment m; laid out like the network's parameters.
    public var velocity: [Float]
    /// Adam's second moment s (empty for SGD).
    public var secondMoment: [Float]
    /// Adam's step count t, for the bias correction (saved with the checkpoint).
    public var steps = 0
    /// The decay of the weights' exponential moving average (0: none): after each step,
    /// average ← average + (1 − decay) · (weights − average).
    public var averageDecay: Double
    /// The moving average of the parameters, laid out like them: the model a run evaluates, tests
    /// and saves when it averages. Empty when it does not, or until the run's first step starts it
    /// at the weights.
    public var average: [Float] = []

    public init(
        parameterCount: Int, kind: OptimizerKind = .sgd, momentum: Double = 0.9, nesterov: Bool = false,
        weightDecay: Double = 0, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
        averageDecay: Double = 0
    ) {
        (self.kind, self.momentum, self.nesterov, self.weightDecay) = (kind, momentum, nesterov, weightDecay)
        self.averageDecay = averageDecay
        (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        velocity = [Float](repeating: 0, count: parameterCount)
        secondMoment = kind == .adam ? [Float](repeating: 0, count: parameterCount) : []
    }

    /// The optimiser `config` asks for, with fresh buffers.
    public init(_ config: TrainingConfig, parameterCount: Int) {
        self.init(
            parameterCount: parameterCount, kind: config.optimizer, momentum: config.momentum,
            nesterov: config.nesterov, weightDecay: config.weightDecay, beta1: config.beta1, beta2: config.beta2,
            epsilon: config.epsilon, averageDecay: config.averageDecay)
    }

    /// Whether the run keeps a moving average of its weights.
    public var averages: Bool { averageDecay > 0 }

    /// The buffers a checkpoint keeps besides the weights, by the name prefix of their tensors.
    var buffers: [(prefix: String, values: [Float])] {
        kind == .adam
            ? [("optimizer.velocity.", velocity), ("optimizer.second_moment.", secondMoment)]
            : [("optimizer.velocity.", velocity)]
    }

    /// Counts the step about to be taken (Adam's bias correction needs it) and returns its constants.
    mutating func nextRule(learningRate: Double) -> Rule {
        if kind == .adam { steps += 1 }
        return Rule(self, learningRate: learningRate)
    }

    /// Applies one update with `gradients` (from `MLP.backward`) at learning rate `learningRate`.
    /// A reference for the tests: training updates inside `TrainingStep`.
    public mutating func step(_ model: inout MLP<Float>, gradients: UnsafeBufferPointer<Float>, learningRate: Double) {
        let layers = model.layers
        let rule = nextRule(learningRate: learningRate)
        withBuffers(&model) { w, v, s, a in
            let update = StepUpdate(
                rule: rule, fused: false, w: w, v: v, s: s, g: UnsafeMutablePointer(mutating: gradients.baseAddress!),
                average: a)
            for layer in layers { update.finish(layer, units: 0..<layer.outputs) }
        }
    }

    /// The parameters, the velocity (m), Adam's second moment (s; nil for SGD) and the weights'
    /// moving average (nil without one) as raw pointers; the average starts at the weights.
    mutating func withBuffers<R>(
        _ model: inout MLP<Float>,
        _ body: (
            UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?,
            UnsafeMutablePointer<Float>?
        ) -> R
    ) -> R {
        if averages && average.isEmpty { average = model.parameters }
        let averages = averages  // an empty array's buffer may still have an address
        return model.parameters.withUnsafeMutableBufferPointer { w in
            velocity.withUnsafeMutableBufferPointer { v in
                secondMoment.withUnsafeMutableBufferPointer { s in
                    average.withUnsafeMutableBufferPointer { a in
                        body(w.baseAddress!, v.baseAddress!, s.baseAddress, averages ? a.baseAddress : nil)
                    }
                }
            }
        }
    }

    /// Whether the weight gradient can be folded into the update inside its GEMM: Nesterov's and
    /// Adam's updates need the raw weight gradient (Adam squares it).
    public var canFuse: Bool { kind == .sgd && !nesterov }

    /// The backward pass and the update of one step together, for the forward pass just run on
    /// `inputs`. Each weight gradient is folded inside its GEMM straight into the velocity (or,
    /// without momentum, into the weights), which saves two passes over the largest arrays per
    /// step; the result equals `backward` + `step` up to rounding. Requires `canFuse`. A single-thread
    /// reference for the tests: training runs the same fusion, split over threads, in `TrainingStep`.
    public mutating func backwardAndStep(
        _ model: inout MLP<Float>, inputs: UnsafePointer<Float>, rows: Int,
        workspace: Workspace<Float>, learningRate: Double
    ) {
        precondition(canFuse, "Nesterov momentum and Adam need backward + step")
        let layers = model.layers
        let rule = nextRule(learningRate: learningRate)
        withBuffers(&model) { w, v, s, a in
            let update = StepUpdate(
                rule: rule, fused: true, w: w, v: v, s: s, g: workspace.gradients.baseAddress!, average: a)
            MLP<Float>.backward(
                layers: layers, parameters: UnsafePointer(w), inputs: inputs, rows: rows,
                workspace: workspace, weights: update.destination, as: .alone,
                finished: { update.finish(layers[$0], units: $1) })
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
        /// Adam's second moment; nil for SGD.
        let s: UnsafeMutablePointer<Float>?
        let g: UnsafeMutablePointer<Float>
        /// The weights' moving average, moved towards each unit's new weights once they are final;
        /// nil without one.
        let average: UnsafeMutablePointer<Float>?

        init(
            rule: Rule, fused: Bool, w: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
            s: UnsafeMutablePointer<Float>? = nil, g: UnsafeMutablePointer<Float>,
            average: UnsafeMutablePointer<Float>? = nil
        ) {
            precondition(!fused || (!rule.nesterov && !rule.adam), "Nesterov momentum and Adam need the raw gradient")
            precondition(!rule.adam || s != nil, "Adam needs its second moment")
            (self.rule, self.fused, self.w, self.v, self.s, self.g) = (rule, fused, w, v, s, g)
            self.average = average
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
                rule.update(weightRows, w: w, v: v, s: s, g: g, decay: rule.decay)
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
            let biases = layer.bias.lowerBound + units.lowerBound..<layer.bias.lowerBound + units.upperBound
            rule.update(biases, w: w, v: v, s: s, g: g, decay: 0)
            let slopes = layer.slope.lowerBound + units.lowerBound..<layer.slope.lowerBound + units.upperBound
            if !layer.slope.isEmpty { rule.update(slopes, w: w, v: v, s: s, g: g, decay: 0) }
            if let average {
                // While these units' weights are still in this core's cache.
                let rate = rule.averageRate
                for range in [weightRows, biases, layer.slope.isEmpty ? 0..<0 : slopes] {
                    for i in range { average[i] += rate * (w[i] - average[i]) }
                }
            }
        }
    }

    /// One step's constants and the element-wise update, one loop per case so that the hot loop
    /// carries no branch and momentum-free SGD touches no velocity.
    struct Rule {
        let lr: Float, mu: Float, decay: Float, nesterov: Bool
        /// Adam's constants for this step: β₁, β₂, ε, lr / (1 − β₁ᵗ) and 1 / √(1 − β₂ᵗ).
        let adam: Bool, beta1: Float, beta2: Float, epsilon: Float, stepSize: Float, rootCorrection: Float
        /// 1 − the moving average's decay.
        let averageRate: Float

        init(_ optimizer: Optimizer, learningRate: Double) {
            (lr, mu, decay, nesterov) = (
                Float(learningRate), Float(optimizer.momentum), Float(optimizer.weightDecay), optimizer.nesterov
            )
            adam = optimizer.kind == .adam
            (beta1, beta2, epsilon) = (Float(optimizer.beta1), Float(optimizer.beta2), Float(optimizer.epsilon))
            // Computed in Double from the step count, as PyTorch computes them in Python floats.
            let t = Double(max(optimizer.steps, 1))
            stepSize = Float(learningRate / (1 - Foundation.pow(optimizer.beta1, t)))
            rootCorrection = Float(1 / (1 - Foundation.pow(optimizer.beta2, t)).squareRoot())
            averageRate = Float(1 - optimizer.averageDecay)
        }

        func update(
            _ range: Range<Int>, w: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
            s: UnsafeMutablePointer<Float>?, g: UnsafePointer<Float>, decay lambda: Float
        ) {
            if adam, let s {
                let start = range.lowerBound
                dt_adam_update(
                    w + start, v + start, s + start, g + start, range.count, beta1, beta2, stepSize, rootCorrection,
                    epsilon, 1 - lr * lambda)
            } else if mu == 0 {
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
