/// An activation's f and f′ sampled at equal steps over [−range, range], for drawing. The pages
/// draw these values, computed by the code that trains (`Activation.value` and `derivative`),
/// rather than a second copy of the maths in JavaScript.
public struct ActivationCurve: Sendable, Equatable, Codable {
    public var range: Double
    /// f at `points` equally spaced inputs from −range to range.
    public var values: [Float]
    /// f′ at the same inputs.
    public var derivatives: [Float]

    /// How many samples a curve has: enough for a smooth line at the 220 px the pages draw it,
    /// odd so that x = 0 (ReLU's kink) is one of them. Each is a number in every inspect answer
    /// and live event: 121 cost `POST /api/inspect` 13% of its answers a second.
    public static let points = 61

    /// `activation` over ±`range`; `slope` is a PReLU layer's learned slope (the mean of its units').
    public init(_ activation: Activation, slope: Double = 0, range: Double) {
        self.range = range
        let xs = (0..<Self.points).map { -range + 2 * range * Double($0) / Double(Self.points - 1) }
        values = xs.map { Float(activation.value($0, slope: slope)) }
        derivatives = xs.map { Float(activation.derivative($0, slope: slope)) }
    }

    /// The range the pages draw a layer's pre-activations over: at least ±4, wide enough for the
    /// largest (at most ±50), in whole units.
    public static func range(for preActivations: [Float]) -> Double {
        let widest = preActivations.lazy.filter(\.isFinite).map { min(50, abs(Double($0))) }.max() ?? 0
        return max(4, widest).rounded(.up)
    }

    private enum CodingKeys: String, CodingKey {
        case range
        case values = "f"
        case derivatives = "df"
    }
}

extension MLP where T == Float {
    /// The mean learned slope of hidden layer `l`'s PReLU units (0 for other activations).
    public func meanSlope(ofLayer l: Int) -> Double {
        let slopes = layers[l].slope
        guard !slopes.isEmpty else { return 0 }
        return slopes.reduce(0.0) { $0 + Double(parameters[$1]) } / Double(slopes.count)
    }
}
