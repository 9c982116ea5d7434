/// What a run's gradient minimises at the output: the output loss, on one-hot or smoothed labels.
/// The losses every report shows stay plain cross-entropy on the one-hot labels, so that runs
/// with different objectives compare on one measure. The training step and the live probe (which
/// measures gradient norms as training sees them) both take their gradient from here.
public struct TrainingObjective: Sendable, Equatable {
    public var outputLoss: OutputLoss
    /// ε of label smoothing (Szegedy et al. 2016): the target is (1 − ε) · one-hot + ε / classes.
    public var labelSmoothing: Double

    public init(outputLoss: OutputLoss = .crossEntropy, labelSmoothing: Double = 0) {
        (self.outputLoss, self.labelSmoothing) = (outputLoss, labelSmoothing)
    }

    /// Turns one example's cross-entropy gradient `gradient` = (p − y) · scale, as
    /// `SoftmaxCrossEntropy.evaluate` leaves it, into this objective's: with smoothing,
    /// (p − (1 − ε)y − ε/K) · scale, which adds ε (y − 1/K) · scale; with squared error, its
    /// gradient through the softmax (`OutputLoss.squaredErrorGradient`).
    func adjust<T: NetworkScalar>(_ gradient: UnsafeMutablePointer<T>, label: Int, classes: Int, scale: T) {
        switch outputLoss {
        case .crossEntropy:
            guard labelSmoothing > 0 else { return }
            let epsilon = T(labelSmoothing) * scale
            let share = epsilon / T(classes)
            for c in 0..<classes { gradient[c] -= share }
            gradient[label] += epsilon
        case .mse:
            OutputLoss.squaredErrorGradient(gradient, label: label, classes: classes, scale: scale)
        }
    }
}
