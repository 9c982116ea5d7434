import Dataset
import RealModule

/// What a hidden layer looked like on held-out data: evidence for the claims made about
/// activations (ReLU units die, sigmoid saturates, tanh is zero-centred, gradients vanish).
public struct LayerDiagnostics: Sendable, Equatable, Codable {
    /// Units that never produced a positive pre-activation on any example: "never active"; for
    /// ReLU and step, flat below zero, such units get no gradient, and are dead.
    public var neverActiveFraction: Double
    /// Units whose mean |f′| over the examples is below 10% of the activation's peak slope.
    public var saturatedFraction: Double
    /// The mean activation over units and examples (0 for a zero-centred layer).
    public var meanActivation: Double
    /// Mean over the epoch's batches of ‖∂L/∂W‖ for this layer's weights (set by training).
    public var gradientNorm: Double?
    /// The share of examples on which every non-zero output of the layer has one sign. On such an
    /// example the gradient of each next-layer unit's incoming weights, δ·aᵢ, has one sign across
    /// all of them: they can only all grow or all shrink together, the zig-zag that outputs not
    /// centred on zero cause. 1 for sigmoid (always positive) and ReLU (never negative). Nil in
    /// records written before it was measured.
    public var oneSignFraction: Double?

    public init(
        neverActiveFraction: Double, saturatedFraction: Double, meanActivation: Double, gradientNorm: Double? = nil,
        oneSignFraction: Double? = nil
    ) {
        self.neverActiveFraction = neverActiveFraction
        self.saturatedFraction = saturatedFraction
        self.meanActivation = meanActivation
        self.gradientNorm = gradientNorm
        self.oneSignFraction = oneSignFraction
    }

    private enum CodingKeys: String, CodingKey {
        case neverActiveFraction, saturatedFraction, meanActivation, gradientNorm, oneSignFraction
        /// What ablation cells saved before the name was settled called `neverActiveFraction`.
        case deadFraction
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        neverActiveFraction =
            try c.decodeIfPresent(Double.self, forKey: .neverActiveFraction)
            ?? c.decode(Double.self, forKey: .deadFraction)
        saturatedFraction = try c.decode(Double.self, forKey: .saturatedFraction)
        meanActivation = try c.decode(Double.self, forKey: .meanActivation)
        gradientNorm = try c.decodeIfPresent(Double.self, forKey: .gradientNorm)
        oneSignFraction = try c.decodeIfPresent(Double.self, forKey: .oneSignFraction)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(neverActiveFraction, forKey: .neverActiveFraction)
        try c.encode(saturatedFraction, forKey: .saturatedFraction)
        try c.encode(meanActivation, forKey: .meanActivation)
        try c.encodeIfPresent(gradientNorm, forKey: .gradientNorm)
        try c.encodeIfPresent(oneSignFraction, forKey: .oneSignFraction)
    }
}

/// Accumulates one hidden layer's statistics over chunks of examples.
struct LayerProbe {
    let width: Int
    let activation: Activation
    var maxPre: [Float]
    var derivativeSum: [Double]
    var activationSum = 0.0
    var examples = 0
    /// Examples whose non-zero outputs all had one sign.
    var oneSignExamples = 0

    init(width: Int, activation: Activation) {
        self.width = width
        self.activation = activation
        maxPre = Array(repeating: -.infinity, count: width)
        derivativeSum = Array(repeating: 0, count: width)
    }

    mutating func observe(pre: UnsafePointer<Float>, post: UnsafePointer<Float>, rows: Int) {
        for r in 0..<rows {
            var (positive, negative) = (false, false)
            for j in 0..<width {
                let z = pre[r * width + j], a = post[r * width + j]
                maxPre[j] = max(maxPre[j], z)
                derivativeSum[j] += Double(abs(activation.derivative(z, slope: 0.25)))
                activationSum += Double(a)
                if a > 0 { positive = true } else if a < 0 { negative = true }
            }
            if !(positive && negative) { oneSignExamples += 1 }
        }
        examples += rows
    }

    /// The steepest slope the activation reaches, so "saturated" is relative to what it could do.
    var peakDerivative: Double { activation.peakDerivative }

    var result: LayerDiagnostics {
        let n = Double(max(examples, 1))
        let dead = maxPre.filter { !($0 > 0) }.count
        let saturated = derivativeSum.filter { $0 / n < 0.1 * peakDerivative }.count
        return LayerDiagnostics(
            neverActiveFraction: Double(dead) / Double(width),
            saturatedFraction: Double(saturated) / Double(width),
            meanActivation: activationSum / (n * Double(width)), oneSignFraction: Double(oneSignExamples) / n)
    }
}
