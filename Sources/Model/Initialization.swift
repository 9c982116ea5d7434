/// How a network's first weights are drawn (`--init`). Every scheme draws from the seed's `init`
/// stream, layer by layer, so ablation cells of one seed start from the same draws wherever the
/// scheme allows; biases start at zero.
public enum Initialization: String, CaseIterable, Sendable, Codable {
    /// Each activation's own rule (`Activation.initRule`): He for the ReLU family, Glorot's normal
    /// for tanh, sigmoid, softsign, identity and step, LeCun's for SELU.
    case auto
    /// Glorot & Bengio's "standard" initialisation: U[−1/√fan-in, 1/√fan-in].
    case standard
    /// Glorot & Bengio's "normalized" initialisation: U[±√6/√(fan-in + fan-out)].
    case xavier
    /// Normal with std √(2/fan-in) (He et al.), whatever the activation.
    case he
    /// Normal with std √(1/fan-in) (LeCun), what SELU's self-normalisation assumes.
    case lecun
    /// Each unit's incoming weights drawn from N(0, 1) and scaled to norm 1, as in the GELU paper's code.
    case unitNorm = "unit-norm"

    /// How the scheme draws: normals scaled by a standard deviation, uniforms over ±bound, or
    /// normals scaled per unit to norm 1.
    enum Draw: Equatable {
        case normal(std: Double)
        case uniform(bound: Double)
        case unitNorm
    }

    /// The draw for a layer of `inputs` → `outputs` units followed by `activation`.
    func draw(inputs: Int, outputs: Int, activation: Activation) -> Draw {
        let fanIn = Double(inputs), fanSum = Double(inputs + outputs)
        switch self {
        case .auto:
            switch activation.initRule {
            case .he: return .normal(std: (2 / fanIn).squareRoot())
            case .xavier: return .normal(std: (2 / fanSum).squareRoot())
            case .lecun: return .normal(std: (1 / fanIn).squareRoot())
            }
        case .standard: return .uniform(bound: 1 / fanIn.squareRoot())
        case .xavier: return .uniform(bound: (6 / fanSum).squareRoot())
        case .he: return .normal(std: (2 / fanIn).squareRoot())
        case .lecun: return .normal(std: (1 / fanIn).squareRoot())
        case .unitNorm: return .unitNorm
        }
    }
}
