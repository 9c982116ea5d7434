import Model

extension Claim {
    /// How much higher cross-entropy's first-epoch validation accuracy must be than squared error's
    /// for the one to be said to learn faster: a point, several times a seed's noise at one epoch.
    public static let fasterBy = 0.01

    /// Softmax with cross-entropy learns faster than squared error on the softmax's outputs: the
    /// same network and seed, one trained each way, compared on validation accuracy after the first
    /// epoch (where the fading gradient costs most) and, as a second figure, on the test set.
    public static func crossEntropyLearnsFaster(crossEntropy: CellResult?, squaredError: CellResult?) -> Claim {
        let statement = "Softmax with cross-entropy learns faster than squared error on the softmax's outputs."
        func firstEpoch(_ result: CellResult?) -> Double? { result?.history.first?.validationAccuracy }
        guard let ce = crossEntropy, let mse = squaredError, ce.failure == nil else {
            return Claim(
                statement: statement, verdict: .notTested,
                evidence:
                    "Needs one finished run with each output loss, cross-entropy and mse, with a validation split.")
        }
        guard let a = firstEpoch(ce) else {
            return Claim(
                statement: statement, verdict: .notTested,
                evidence: "Needs a validation split to compare the first epochs.")
        }
        guard mse.failure == nil, let b = firstEpoch(mse) else {
            return Claim(
                statement: statement, verdict: .notSupported,
                evidence:
                    "Squared error's run diverged: that is not learning slowly. Cross-entropy's first epoch: \(percent(a))% on validation."
            )
        }
        let faster = a - b > fasterBy
        var evidence =
            "Validation accuracy after the first epoch: cross-entropy \(percent(a))%, squared error \(percent(b))% ("
            + (faster ? "ahead by more than \(percent(fasterBy)) point" : "not ahead by \(percent(fasterBy)) point")
            + ")"
        if let ta = ce.testAccuracy, let tb = mse.testAccuracy {
            evidence += "; test accuracy at the end \(percent(ta))% and \(percent(tb))%"
        }
        return Claim(statement: statement, verdict: faster ? .supported : .notSupported, evidence: evidence + ".")
    }
}
