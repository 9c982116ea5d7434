import Foundation

/// The shape of a multi-layer perceptron: input width, hidden widths with one activation each,
/// and the number of classes.
public struct Architecture: Equatable, Sendable, Codable {
    public var inputs: Int
    public var hidden: [Int]
    /// One per hidden layer.
    public var activations: [Activation]
    public var outputs: Int

    public init(inputs: Int, hidden: [Int], activations: [Activation], outputs: Int) {
        precondition(hidden.count == activations.count, "one activation per hidden layer")
        precondition(inputs > 0 && outputs > 0 && hidden.allSatisfy { $0 > 0 }, "layer widths must be positive")
        self.inputs = inputs
        self.hidden = hidden
        self.activations = activations
        self.outputs = outputs
    }

    /// Hidden widths as written: `256,128`; `128x4` is four layers of 128, and the forms mix:
    /// `256,128x2`. Nil for anything else (a width must be positive; at most 1,000 repeats).
    public static func hiddenWidths(spec text: String) -> [Int]? {
        var widths: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.trimmingCharacters(in: .whitespaces).split(
                separator: "x", omittingEmptySubsequences: false)
            guard (1...2).contains(pieces.count), let width = Int(pieces[0]), width > 0,
                let repeats = pieces.count == 2 ? Int(pieces[1]) : 1, (1...1000).contains(repeats)
            else { return nil }
            widths += Array(repeating: width, count: repeats)
        }
        return widths
    }

    /// The side of the square image the inputs are (28 for 784), or nil when the input width is not a square.
    public var imageSide: Int? {
        let side = Int(Double(inputs).squareRoot().rounded())
        return side * side == inputs ? side : nil
    }

    /// Every layer's width from input to output: `[784, 256, 128, 10]`.
    public var widths: [Int] { [inputs] + hidden + [outputs] }

    /// Floating-point operations (2 per multiply-add) of one example's forward pass: every layer's product.
    public var forwardFLOPsPerExample: Double { 2 * weightCounts.reduce(0, +) }

    /// Floating-point operations of one example's training step: the forward and weight-gradient
    /// products of every layer, and the input-gradient product of every layer but the first (the
    /// pixels need none). What a run's cost is counted in: epochs × images × this.
    public var trainingFLOPsPerExample: Double {
        let weights = weightCounts
        return 2 * (2 * weights.reduce(0, +) + weights.dropFirst().reduce(0, +))
    }

    /// Each layer's weight count (inputs × outputs).
    private var weightCounts: [Double] { zip(widths, widths.dropFirst()).map { Double($0 * $1) } }

    /// `784-256(relu)-128(relu)-10`
    public var summary: String {
        let middle = zip(hidden, activations).map { "\($0)(\($1.spec))" }
        return ([String(inputs)] + middle + [String(outputs)]).joined(separator: "-")
    }
}

/// Where one dense layer's tensors sit in the network's flat parameter buffer.
public struct DenseLayout: Sendable, Equatable {
    public let inputs: Int
    public let outputs: Int
    /// The non-linearity after this layer (`identity` for the output layer, whose logits go to softmax).
    public let activation: Activation
    /// `outputs × inputs`, row-major (PyTorch's `nn.Linear.weight` layout).
    public let weight: Range<Int>
    public let bias: Range<Int>
    /// PReLU's per-unit slopes; empty for every other activation.
    public let slope: Range<Int>

    /// Lays out the layers of `architecture` one after another.
    static func layouts(for architecture: Architecture) -> [DenseLayout] {
        var offset = 0
        var result: [DenseLayout] = []
        let widths = architecture.widths
        for l in 0..<(widths.count - 1) {
            let (n, m) = (widths[l], widths[l + 1])
            let activation = l < architecture.activations.count ? architecture.activations[l] : .identity
            let weight = offset..<offset + n * m
            let bias = weight.upperBound..<weight.upperBound + m
            var slope = bias.upperBound..<bias.upperBound
            if case .prelu = activation { slope = bias.upperBound..<bias.upperBound + m }
            offset = slope.upperBound
            result.append(
                DenseLayout(inputs: n, outputs: m, activation: activation, weight: weight, bias: bias, slope: slope))
        }
        return result
    }
}
