import Model

extension Claim {
    /// How much higher one run's first-epoch validation accuracy must be than the other's for it to
    /// be said to learn faster: a point, several times a seed's noise at one epoch.
    public static let fasterBy = 0.01

    /// The same network and seed trained two ways, `ahead` expected to learn faster than `behind`:
    /// compared on validation accuracy after the first epoch (where a slow start costs most) and,
    /// as a second figure, on the test set. `names` say the two ways in the evidence.
    public static func learnsFaster(
        _ statement: String, ahead: CellResult?, behind: CellResult?, names: (ahead: String, behind: String)
    ) -> Claim {
        func firstEpoch(_ result: CellResult?) -> Double? { result?.history.first?.validationAccuracy }
        guard let a = ahead, let b = behind, a.failure == nil else {
            return Claim(
                statement: statement, verdict: .notTested,
                evidence:
                    "Needs one finished run each way, \(names.ahead) and \(names.behind), with a validation split.")
        }
        guard let first = firstEpoch(a) else {
            return Claim(
                statement: statement, verdict: .notTested,
                evidence: "Needs a validation split to compare the first epochs.")
        }
        guard b.failure == nil, let second = firstEpoch(b) else {
            return Claim(
                statement: statement, verdict: .notSupported,
                evidence:
                    "The \(names.behind) run diverged: that is not learning slowly. The \(names.ahead) run's first epoch: \(percent(first))% on validation."
            )
        }
        let faster = first - second > fasterBy
        var evidence =
            "Validation accuracy after the first epoch: \(names.ahead) \(percent(first))%, \(names.behind) \(percent(second))% ("
            + (faster ? "ahead by more than \(percent(fasterBy)) point" : "not ahead by \(percent(fasterBy)) point")
            + ")"
        if let ta = a.testAccuracy, let tb = b.testAccuracy {
            evidence += "; test accuracy at the end \(percent(ta))% and \(percent(tb))%"
        }
        return Claim(statement: statement, verdict: faster ? .supported : .notSupported, evidence: evidence + ".")
    }
}
