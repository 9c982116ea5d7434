import RealModule

/// A hidden layer's non-linearity: its value, its exact derivative, the weight initialisation
/// that suits it, and the learning rate we measured to work well with it.
public enum Activation: Hashable, Sendable {
    case relu
    /// max(x, αx) with a small fixed slope α.
    case leakyRelu(alpha: Double)
    case tanh
    case sigmoid
    /// x·σ(βx); β = 1 is SiLU.
    case swish(beta: Double)
    /// x for x > 0, α(eˣ − 1) otherwise.
    case elu(alpha: Double)
    /// x·Φ(x), the exact (erf) form.
    case gelu
    /// log(1 + eˣ), a smooth ReLU.
    case softplus
    /// Leaky ReLU whose slope is learned, one per unit, starting at `initial`.
    case prelu(initial: Double)
    /// No non-linearity: the network collapses to a linear model (for teaching).
    case identity
    /// The Heaviside step: its derivative is zero almost everywhere, so gradient descent learns nothing
    /// in the layers below it (for teaching).
    case step
    /// x / (1 + |x|): tanh's shape with polynomial tails, which saturate more gently (Glorot & Bengio 2010).
    case softsign
    /// λ·ELU with α ≈ 1.6733, λ ≈ 1.0507: self-normalising with LeCun-normal weights (Klambauer et al. 2017).
    case selu
    /// x·tanh(softplus(x)) (Misra 2019).
    case mish

    /// SELU's constants, to the digits of the paper's derivation.
    public static let seluAlpha = 1.673_263_242_354_377_3
    public static let seluLambda = 1.050_700_987_355_480_5

    /// The defaults: every activation the trainer supports, with its default parameter.
    public static let all: [Activation] = [
        .relu, .leakyRelu(alpha: 0.01), .tanh, .sigmoid, .swish(beta: 1), .elu(alpha: 1), .gelu, .softplus,
        .prelu(initial: 0.25), .identity, .step, .softsign, .selu, .mish
    ]

    /// The name used on the command line and in files: `relu`, `leaky-relu`, `swish`, …
    public var name: String {
        switch self {
        case .relu: return "relu"
        case .leakyRelu: return "leaky-relu"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .swish: return "swish"
        case .elu: return "elu"
        case .gelu: return "gelu"
        case .softplus: return "softplus"
        case .prelu: return "prelu"
        case .identity: return "identity"
        case .step: return "step"
        case .softsign: return "softsign"
        case .selu: return "selu"
        case .mish: return "mish"
        }
    }

    /// The parameter (α, β or initial slope), if the activation has one.
    public var parameter: Double? {
        switch self {
        case .leakyRelu(let p), .swish(let p), .elu(let p), .prelu(let p): return p
        default: return nil
        }
    }

    /// The canonical spelling, parameter included when it is not the default: `leaky-relu:0.1`.
    public var spec: String {
        guard let p = parameter, let d = Activation(name: name)?.parameter, p != d else { return name }
        return "\(name):\(p)"
    }

    /// Parses `relu`, `leaky-relu`, `leaky-relu:0.1`, `swish:1.5`, `silu`, `prelu:0.25`, …
    public init?(spec: String) {
        let parts = spec.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, var activation = Activation(name: first) else { return nil }
        if parts.count == 2 {
            guard let value = Double(parts[1]), value.isFinite else { return nil }
            switch activation {
            case .leakyRelu: activation = .leakyRelu(alpha: value)
            case .swish: activation = .swish(beta: value)
            case .elu: activation = .elu(alpha: value)
            case .prelu: activation = .prelu(initial: value)
            default: return nil
            }
        }
        self = activation
    }

    private init?(name: String) {
        switch name.replacingOccurrences(of: "_", with: "-") {
        case "relu": self = .relu
        case "leaky-relu", "leakyrelu", "lrelu": self = .leakyRelu(alpha: 0.01)
        case "tanh": self = .tanh
        case "sigmoid", "logistic": self = .sigmoid
        case "swish", "silu": self = .swish(beta: 1)
        case "elu": self = .elu(alpha: 1)
        case "gelu": self = .gelu
        case "softplus": self = .softplus
        case "prelu": self = .prelu(initial: 0.25)
        case "identity", "linear", "none": self = .identity
        case "step", "heaviside": self = .step
        case "softsign": self = .softsign
        case "selu": self = .selu
        case "mish": self = .mish
        default: return nil
        }
    }

    /// How a layer feeding this activation is initialised.
    public enum InitRule: String, Sendable {
        /// Normal with std √(2 / fan-in): keeps the ReLU family's signal variance constant.
        case he
        /// Normal with std √(2 / (fan-in + fan-out)) (Glorot): keeps tanh/sigmoid in their responsive range.
        case xavier
        /// Normal with std √(1 / fan-in): the variance SELU's fixed point assumes.
        case lecun
    }

    /// The rule in words, for a person choosing it: `He: normal, std √(2 / fan-in)`.
    public var initDescription: String {
        switch initRule {
        case .he: return "He: normal, std √(2 / fan-in)"
        case .xavier: return "Glorot: normal, std √(2 / (fan-in + fan-out))"
        case .lecun: return "LeCun: normal, std √(1 / fan-in)"
        }
    }

    public var initRule: InitRule {
        switch self {
        case .tanh, .sigmoid, .identity, .step, .softsign: return .xavier
        case .selu: return .lecun
        default: return .he
        }
    }

    /// Learning rate for SGD with momentum 0.9, batch 64 and a cosine schedule: the rate with the
    /// best mean validation accuracy after 5 MNIST epochs (seeds 1 and 2) among 0.02…1.0, a tie
    /// (within 0.05 points) going to the smaller rate; the project's learning-rate sweep repeats the measurement.
    public var defaultLearningRate: Double {
        switch self {
        case .relu, .leakyRelu: return 0.05
        case .tanh, .swish, .gelu, .elu, .prelu: return 0.1
        case .softplus: return 0.2
        case .sigmoid: return 0.5
        case .identity, .step: return 0.03  // teaching cases, not tuned
        // The same sweep (scripts/lr-sweep --activations softsign,selu,mish; Zen 4): softsign 97.78%
        // at 0.2 against 97.65% at 0.1; SELU 97.87% at 0.05 and 24.67% at 0.1; Mish 98.28% at 0.1.
        case .softsign: return 0.2
        case .selu: return 0.05
        case .mish: return 0.1
        }
    }

    /// Whether the layers below this activation can learn at all.
    public var passesGradient: Bool { self != .step }

    /// The ReLU family (kinked at zero, flat or nearly flat below): a unit whose pre-activation is
    /// never positive is "never active", and for ReLU and step, flat below zero, that means dead.
    /// Straight pieces only (ReLU, LeakyReLU, PReLU, identity, step): f′ takes one or two values,
    /// so a unit is on or off, never saturated; the smooth ones flatten out in a tail.
    public var isPiecewiseLinear: Bool {
        switch self {
        case .relu, .leakyRelu, .prelu, .identity, .step: return true
        default: return false
        }
    }

    public var isReLUFamily: Bool {
        switch self {
        case .relu, .leakyRelu, .prelu, .elu, .selu, .step: return true
        default: return false
        }
    }

    /// The steepest slope the activation reaches (its derivative's supremum), so that "saturated"
    /// can mean "far flatter than it could be": 1/4 for sigmoid, about 1.0998 for Swish at any β.
    public var peakDerivative: Double {
        switch self {
        case .sigmoid: return 0.25
        case .swish: return 1.0998  // max of σ(u) + u·σ(u)(1 − σ(u)), at u ≈ 2.4; β only rescales x
        case .gelu: return 1.1289  // max of Φ(x) + x·φ(x), at x = √2
        case .elu(let alpha): return Swift.max(1, alpha)
        case .selu: return Activation.seluLambda * Activation.seluAlpha  // λα eˣ just below zero, above λ
        case .mish: return 1.0885  // max of mish′, at x ≈ 1.49
        case .prelu(let slope): return Swift.max(1, Swift.abs(slope))
        case .step: return 0
        default: return 1
        }
    }

    public var canSaturate: Bool {
        switch self {
        case .tanh, .sigmoid, .softsign: return true
        default: return false
        }
    }

    // MARK: - Maths on one value

    /// The activation's value at `x`; `slope` is PReLU's learned slope (ignored otherwise).
    @inlinable
    public func value<T: Real & BinaryFloatingPoint>(_ x: T, slope: T = 0) -> T {
        switch self {
        case .relu: return x > 0 ? x : 0
        case .leakyRelu(let a): return x > 0 ? x : T(a) * x
        case .tanh: return T.tanh(x)
        case .sigmoid: return Activation.sigmoid(x)
        case .swish(let b): return x * Activation.sigmoid(T(b) * x)
        case .elu(let a): return x > 0 ? x : T(a) * T.expMinusOne(x)
        case .gelu: return x * Activation.normalCDF(x)
        case .softplus: return Activation.softplus(x)
        case .prelu: return x > 0 ? x : slope * x
        case .identity: return x
        case .step: return x > 0 ? 1 : 0
        case .softsign: return x / (1 + Swift.abs(x))
        case .selu:
            return x > 0
                ? T(Activation.seluLambda) * x : T(Activation.seluLambda * Activation.seluAlpha) * T.expMinusOne(x)
        case .mish: return x * T.tanh(Activation.softplus(x))
        }
    }

    /// The exact derivative at `x` (one-sided at kinks: 0 for x ≤ 0 in the ReLU family).
    @inlinable
    public func derivative<T: Real & BinaryFloatingPoint>(_ x: T, slope: T = 0) -> T {
        switch self {
        case .relu: return x > 0 ? 1 : 0
        case .leakyRelu(let a): return x > 0 ? 1 : T(a)
        case .tanh:
            let t = T.tanh(x)
            return 1 - t * t
        case .sigmoid:
            let s = Activation.sigmoid(x)
            return s * (1 - s)
        case .swish(let b):
            let s = Activation.sigmoid(T(b) * x)
            return s + T(b) * x * s * (1 - s)
        case .elu(let a): return x > 0 ? 1 : T(a) * T.exp(x)
        case .gelu: return Activation.normalCDF(x) + x * T.exp(-x * x / 2) / T.sqrt(2 * T.pi)
        case .softplus: return Activation.sigmoid(x)
        case .prelu: return x > 0 ? 1 : slope
        case .identity: return 1
        case .step: return 0
        case .softsign:
            let d = 1 + Swift.abs(x)
            return 1 / (d * d)
        case .selu: return x > 0 ? T(Activation.seluLambda) : T(Activation.seluLambda * Activation.seluAlpha) * T.exp(x)
        case .mish:
            // tanh(sp) + x·sech²(sp)·σ(x), with sp = softplus(x) and sp′ = σ(x).
            let t = T.tanh(Activation.softplus(x))
            return t + x * (1 - t * t) * Activation.sigmoid(x)
        }
    }

    /// σ(x) = 1 / (1 + e⁻ˣ), evaluated so that the exponential never overflows.
    @inlinable
    public static func sigmoid<T: Real>(_ x: T) -> T {
        if x >= 0 { return 1 / (1 + T.exp(-x)) }
        let e = T.exp(x)
        return e / (1 + e)
    }

    /// log(1 + eˣ), evaluated so that the exponential never overflows.
    @inlinable
    static func softplus<T: Real>(_ x: T) -> T {
        Swift.max(x, 0) + T.log(onePlus: T.exp(-Swift.abs(x)))
    }

    /// Φ(x), the standard normal CDF.
    @inlinable
    static func normalCDF<T: Real>(_ x: T) -> T {
        (1 + T.erf(x / T.sqrt(2))) / 2
    }
}

extension Activation: CustomStringConvertible {
    public var description: String { spec }
}
