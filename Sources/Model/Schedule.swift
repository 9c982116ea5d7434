import RealModule

/// How the learning rate changes over training.
public enum Schedule: Sendable, Equatable {
    /// The base rate throughout.
    case constant
    /// Multiplied by `factor` every `every` epochs.
    case step(every: Int, factor: Double)
    /// Cosine decay from the base rate to zero over the whole run, per batch.
    case cosine

    /// The learning rate at batch `step` (0-based, counted over the whole run) of `totalSteps`,
    /// in epoch `epoch` (0-based).
    public func learningRate(base: Double, epoch: Int, step: Int, totalSteps: Int) -> Double {
        switch self {
        case .constant:
            return base
        case .step(let every, let factor):
            return base * Double.pow(factor, Double(epoch / max(every, 1)))
        case .cosine:
            let progress = Double(step) / Double(max(totalSteps, 1))
            return base * 0.5 * (1 + Double.cos(.pi * progress))
        }
    }

    /// The learning rate at batch `step` (0-based, over the whole run of `totalSteps`, `stepsPerEpoch`
    /// to an epoch) after a linear warm-up over the first `warmupSteps`: (step + 1) / warmupSteps of
    /// the base rate (Goyal et al. 2017), then this schedule over the steps that are left, so that
    /// a cosine still ends at zero and a step schedule counts its epochs from the warm-up's end.
    public func learningRate(
        base: Double, step: Int, totalSteps: Int, stepsPerEpoch: Int, warmupSteps: Int
    ) -> Double {
        if step < warmupSteps { return base * Double(step + 1) / Double(warmupSteps) }
        let after = step - warmupSteps
        return learningRate(
            base: base, epoch: after / max(stepsPerEpoch, 1), step: after, totalSteps: totalSteps - warmupSteps)
    }

    /// `constant`, `step:3:0.1`, `cosine`: the spelling used on the command line and in files.
    public var spec: String {
        switch self {
        case .constant: return "constant"
        case .step(let every, let factor): return "step:\(every):\(factor)"
        case .cosine: return "cosine"
        }
    }

    /// Parses `constant`, `cosine`, `step` (every 2 epochs ×0.1) or `step:EVERY:FACTOR`.
    public init?(spec: String) {
        let parts = spec.lowercased().split(separator: ":").map(String.init)
        switch parts.first {
        case "constant" where parts.count == 1: self = .constant
        case "cosine" where parts.count == 1: self = .cosine
        case "step" where parts.count == 1: self = .step(every: 2, factor: 0.1)
        case "step" where parts.count == 3:
            guard let every = Int(parts[1]), every > 0, let factor = Double(parts[2]), factor > 0, factor.isFinite
            else { return nil }
            self = .step(every: every, factor: factor)
        default: return nil
        }
    }
}
