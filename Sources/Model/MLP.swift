import Dataset
import RealModule

/// A multi-layer perceptron whose parameters live in one flat buffer, layer after layer
/// (weight, bias, PReLU slopes), so the optimiser, the checkpoint and the NaN guard each see one array.
public struct MLP<T: NetworkScalar>: Sendable {
    public let architecture: Architecture
    public let layers: [DenseLayout]
    public var parameters: [T]

    /// A freshly initialised network, drawn as `initialization` says. With `.auto` every activation
    /// draws the same standard normals from the seed's `init` stream, scaled by its own rule (He:
    /// √(2/fan-in), Glorot: √(2/(fan-in+fan-out))), so an ablation compares activations from the
    /// same starting point. Biases start at zero.
    public init(architecture: Architecture, seed: UInt64, initialization: Initialization = .auto) {
        self.architecture = architecture
        layers = DenseLayout.layouts(for: architecture)
        var parameters = [T](repeating: 0, count: layers.last!.slope.upperBound)
        let lastHidden = architecture.activations.last ?? .identity
        for (l, layer) in layers.enumerated() {
            // The output layer is drawn by the rule of the last hidden layer's activation.
            let activation = l < architecture.activations.count ? architecture.activations[l] : lastHidden
            var rng = SeededRandom(seed: seed, stream: "init", index: UInt64(l))
            let draw = initialization.draw(inputs: layer.inputs, outputs: layer.outputs, activation: activation)
            if case .uniform(let bound) = draw {
                for i in layer.weight { parameters[i] = T((2 * rng.nextUnit() - 1) * bound) }
            } else {
                var std = 1.0
                if case .normal(let s) = draw { std = s }
                var i = layer.weight.lowerBound
                while i < layer.weight.upperBound {
                    // Box–Muller: two standard normals per pair of uniforms.
                    let u1 = 1 - rng.nextUnit(), u2 = rng.nextUnit()
                    let radius = (-2 * Double.log(u1)).squareRoot()
                    parameters[i] = T(radius * Double.cos(2 * .pi * u2) * std)
                    if i + 1 < layer.weight.upperBound {
                        parameters[i + 1] = T(radius * Double.sin(2 * .pi * u2) * std)
                    }
                    i += 2
                }
            }
            if draw == .unitNorm {
                // Unit j's incoming weights are row j: scaled to norm 1.
                for row in stride(from: layer.weight.lowerBound, to: layer.weight.upperBound, by: layer.inputs) {
                    let weights = row..<row + layer.inputs
                    let norm = weights.reduce(0.0) { $0 + Double(parameters[$1]) * Double(parameters[$1]) }.squareRoot()
                    for i in weights { parameters[i] = T(Double(parameters[i]) / norm) }
                }
            }
            if case .prelu(let initial) = layer.activation {
                for j in layer.slope { parameters[j] = T(initial) }
            }
        }
        self.parameters = parameters
    }

    /// A network with the given parameters (from a checkpoint, or converted from another precision).
    public init(architecture: Architecture, parameters: [T]) {
        self.architecture = architecture
        layers = DenseLayout.layouts(for: architecture)
        precondition(
            parameters.count == layers.last!.slope.upperBound, "parameter count does not match the architecture")
        self.parameters = parameters
    }

    public static func parameterCount(of architecture: Architecture) -> Int {
        DenseLayout.layouts(for: architecture).last!.slope.upperBound
    }

    /// Runs `rows` examples (row-major, `architecture.inputs` wide) through the network; the logits
    /// end up in `workspace.logits`. With a `team`, its threads share each layer's units.
    /// With `dropout` (training only; the workspace must have been made for it) hidden units are
    /// dropped as it says, and `backward` then follows the same masks.
    public func forward(
        _ inputs: UnsafePointer<T>, rows: Int, workspace: Workspace<T>, team: WorkerTeam? = nil, dropout: Dropout? = nil
    ) {
        precondition(rows <= workspace.capacity)
        parameters.withUnsafeBufferPointer { p in
            guard let team else {
                return Self.forward(
                    layers: layers, parameters: p.baseAddress!, inputs: inputs, rows: rows, workspace: workspace,
                    dropout: dropout, as: .alone)
            }
            team.run { index in
                Self.forward(
                    layers: layers, parameters: p.baseAddress!, inputs: inputs, rows: rows, workspace: workspace,
                    dropout: dropout, as: TeamMember(team: team, index: index))
            }
        }
    }

    /// The forward pass on raw buffers, `member`'s share of each layer's units; every member of the
    /// team must call it, since each layer waits for all of the one below.
    /// With `bf16`, the products multiply its bf16 copies (layer 0's input rounded by the caller)
    /// and each member rounds the block of the next layer's input it wrote.
    static func forward(
        layers: [DenseLayout], parameters: UnsafePointer<T>, inputs: UnsafePointer<T>, rows: Int,
        workspace: Workspace<T>, dropout: Dropout? = nil, bf16: BF16Operands? = nil, as member: TeamMember
    ) {
        precondition(dropout == nil || workspace.dropped != nil, "a workspace made for dropout")
        var input = inputs
        for (l, layer) in layers.enumerated() {
            // The block of rows × units this member computes.
            let (rowShare, unitShare) =
                member.splitsByRows(layer.outputs)
                ? (member.units(rows), member.units(rows).isEmpty ? 0..<0 : 0..<layer.outputs)
                : (0..<rows, member.units(layer.outputs))
            let pre = workspace.pre[l] + rowShare.lowerBound * layer.outputs,
                post = workspace.post[l] + rowShare.lowerBound * layer.outputs
            if !unitShare.isEmpty {
                layer.product(
                    l, input: input, rows: rowShare, parameters: parameters, into: workspace.pre[l], units: unitShare,
                    bf16: bf16, member: member.index)
                layer.addBiasAndActivate(
                    rows: rowShare.count, parameters: parameters, pre: pre, post: post, units: unitShare)
            }
            let hidden = l < layers.count - 1
            if hidden, let dropout, let dropped = workspace.dropped, let mask = workspace.dropMask {
                let width = layer.outputs, post = workspace.post[l]
                for r in rowShare {
                    dropout.fillMask(mask[l], layer: l, row: r, width: width, units: unitShare)
                    let a = post + r * width, m = mask[l] + r * width, out = dropped[l] + r * width
                    for j in unitShare { out[j] = a[j] * m[j] }
                }
            }
            let next = UnsafePointer(hidden && dropout != nil ? workspace.dropped![l] : workspace.post[l])
            if hidden, let bf16 { bf16.roundInput(l + 1, from: next, rows: rowShare, columns: unitShare) }
            member.barrier()
            input = next
        }
    }

    /// Class probabilities (softmax of the logits), one array per example, for examples laid out
    /// row after row, `architecture.inputs` values each.
    public func probabilities(_ inputs: [T]) -> [[T]] {
        let rows = inputs.count / architecture.inputs
        guard rows > 0 else { return [] }
        let workspace = Workspace<T>(architecture: architecture, capacity: rows)
        inputs.withUnsafeBufferPointer { forward($0.baseAddress!, rows: rows, workspace: workspace) }
        return (0..<rows).map {
            SoftmaxCrossEntropy.probabilities(
                workspace.logits + $0 * architecture.outputs, classes: architecture.outputs)
        }
    }

    /// Back-propagates ∂L/∂logits, which the caller has put in `workspace.logitGradient`, into
    /// `workspace.gradients` (same layout as `parameters`). Call right after `forward` on the same rows.
    /// Pass the `dropout` the forward pass had. A reference for the tests (gradient checks, the
    /// fused step against it): training runs `TrainingStep`, which updates as it goes back.
    public func backward(_ inputs: UnsafePointer<T>, rows: Int, workspace: Workspace<T>, dropout: Dropout? = nil) {
        parameters.withUnsafeBufferPointer { p in
            Self.backward(
                layers: layers, parameters: p.baseAddress!, inputs: inputs, rows: rows, workspace: workspace,
                weights: GradientDestination(buffer: workspace.gradients.baseAddress!, scale: 1, keep: 0),
                dropout: dropout, as: .alone
            ) { _, _ in }
        }
    }

    /// The backward pass on raw buffers for `member`'s share of the units, with the weight gradients
    /// sent to `weights`; biases' and slopes' gradients always go to `workspace.gradients`. Once a
    /// layer's gradients for `units` are in place, `finished(layer, units)` runs on the same thread,
    /// which is where the optimiser updates exactly those rows.
    /// With `bf16` (and the forward pass that had it), the products multiply its bf16 copies: the
    /// caller has rounded ∂L/∂logits, and each member rounds the block of each ∂L/∂pre it wrote.
    static func backward(
        layers: [DenseLayout], parameters: UnsafePointer<T>, inputs: UnsafePointer<T>, rows: Int,
        workspace: Workspace<T>, weights: GradientDestination<T>, dropout: Dropout? = nil, bf16: BF16Operands? = nil,
        as member: TeamMember, finished: (_ layer: Int, _ units: Range<Int>) -> Void
    ) {
        // With dropout each layer above the first read the dropped outputs of the one below.
        let dropped = dropout == nil ? nil : workspace.dropped
        let grads = workspace.gradients.baseAddress!
        let top = layers.count - 1
        if layers[top].activation != .identity {  // the output layer's is, in every network we build
            let units = member.units(layers[top].outputs)
            layers[top].activationBackward(
                rows: rows, pre: workspace.pre[top], post: workspace.post[top], delta: workspace.delta[top],
                parameters: parameters, gradients: grads, units: units)
            bf16?.roundDelta(top, from: workspace.delta[top], rows: 0..<rows, columns: units)
            member.barrier()
        }
        for l in stride(from: top, through: 0, by: -1) {
            let layer = layers[l]
            if l > 0 {
                // ∂L/∂pre of the layer below, for this member's units of it.
                let below = layers[l - 1], columns = member.units(layer.inputs)
                if below.activation.passesGradient {
                    layer.inputGradient(
                        l, rows: rows, delta: workspace.delta[l], parameters: parameters, into: workspace.delta[l - 1],
                        columns: columns, bf16: bf16, member: member.index)
                    if dropped != nil, let mask = workspace.dropMask {
                        // ∂L/∂post = ∂L/∂dropped · mask: a dropped unit passed nothing on, so it learns nothing here.
                        for r in 0..<rows {
                            let d = workspace.delta[l - 1] + r * layer.inputs, m = mask[l - 1] + r * layer.inputs
                            for j in columns { d[j] *= m[j] }
                        }
                    }
                    below.activationBackward(
                        rows: rows, pre: workspace.pre[l - 1], post: workspace.post[l - 1],
                        delta: workspace.delta[l - 1],
                        parameters: parameters, gradients: grads, units: columns)
                } else {
                    // Below a step activation no gradient flows: skip the wasted GEMM, not the layer's own update.
                    for r in 0..<rows {
                        (workspace.delta[l - 1] + r * layer.inputs + columns.lowerBound).update(
                            repeating: 0, count: columns.count)
                    }
                }
                bf16?.roundDelta(l - 1, from: workspace.delta[l - 1], rows: 0..<rows, columns: columns)
                // Every read of this layer's weights is done before anyone overwrites them.
                member.barrier()
            }
            let units = member.units(layer.outputs)
            let input = l == 0 ? inputs : UnsafePointer(dropped?[l - 1] ?? workspace.post[l - 1])
            if !units.isEmpty {
                layer.biasGradients(rows: rows, delta: workspace.delta[l], gradients: grads, units: units)
                layer.weightGradient(
                    l, input: input, rows: rows, delta: workspace.delta[l], weights: weights, units: units, bf16: bf16,
                    member: member.index)
            }
            finished(l, units)
        }
    }
}
