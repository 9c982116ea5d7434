import Foundation
import Model

/// One of the claims the activation-function articles make, judged on an ablation's own numbers.
public struct Claim: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        case supported = "supported"
        case notSupported = "not supported"
        case notTested = "not tested by this grid"
    }

    public let statement: String
    public let verdict: Verdict
    /// The numbers behind the verdict, or (not tested) what would test it, in words of the ablation's
    /// own (no command line's): `need` says the same as a value, for a program to word its way.
    public let evidence: String
    /// What the ablation lacked to test the claim, when it was not tested for that reason.
    public let need: ClaimNeed?

    init(statement: String, verdict: Verdict, evidence: String) {
        (self.statement, self.verdict, self.evidence, self.need) = (statement, verdict, evidence, nil)
    }

    /// A claim not tested for lack of `need`; `measured`, what half of it the numbers did show.
    init(statement: String, untestedFor need: ClaimNeed, measured: String? = nil) {
        (self.statement, self.verdict, self.need) = (statement, .notTested, need)
        evidence = (measured.map { $0 + " " } ?? "") + need.description
    }
}

/// What an ablation must add for a claim to be tested: an axis of the grid, or activations.
public enum ClaimNeed: Error, Sendable, Equatable, CustomStringConvertible {
    /// Architectures of different depths, such as `example`.
    case depths(example: [[Int]])
    /// These activations among those compared.
    case activations([Activation])
    /// At least one of these activations among those compared.
    case oneOf([Activation])
    /// ReLU finished at two learning rates or more, such as `example`.
    case learningRates(example: [LearningRateChoice])

    public var description: String {
        switch self {
        case .depths(let example):
            return
                "Needs architectures of different depths, e.g. \(example.map(AblationCell.widths).joined(separator: " and "))."
        case .activations(let activations):
            return "Needs \(activations.map(\.spec).joined(separator: " and ")) among the activations."
        case .oneOf(let activations):
            return "Needs \(activations.map(\.spec).joined(separator: " or ")) among the activations."
        case .learningRates(let example):
            return
                "Needs ReLU finished at two learning rates or more, e.g. \(example.map(\.description).joined(separator: " and ")) "
                + "(a rate at which ReLU diverges in every seed gives no dead-unit count)."
        }
    }
}

/// The claims, each verdict computed from the results; none is assumed.
extension AblationSummary {
    /// Each setting with its per-activation rows.
    typealias SettingRows = [(setting: GridSetting, rows: [ActivationRow])]

    /// Each setting's rows, computed once.
    var rowsBySetting: SettingRows {
        settings.map { ($0, slice($0).rows) }
    }

    public var claims: [Claim] {
        let all = rowsBySetting
        let table = all.map { (setting: $0.setting, rows: $0.rows.filter { !$0.accuracies.isEmpty }) }
        return [
            vanishingGradients(table), zeroCentred(table), dyingReLU(table, including: all), swishWithDepth(table),
            exponentialCost(table)
        ]
    }

    /// The architectures from shallowest to deepest (by hidden layers).
    private var architecturesByDepth: [[Int]] { plan.architectures.sorted { $0.count < $1.count } }

    private func row(_ table: SettingRows, _ activation: Activation, hidden: [Int], rate: LearningRateChoice)
        -> ActivationRow?
    {
        table.first { $0.setting.hidden == hidden && $0.setting.learningRate == rate }?.rows.first {
            $0.activation == activation
        }
    }

    /// The learning rate depth is judged at: each activation's default when the grid has it.
    private var depthRate: LearningRateChoice {
        plan.learningRates.contains(.default) ? .default : plan.learningRates[0]
    }

    private static func name(_ hidden: [Int]) -> String { AblationCell.widths(hidden) }

    // MARK: Each claim

    /// Vanishing gradients: the first layer's gradient, relative to the last hidden layer's,
    /// shrinks as the network deepens, and more so than ReLU's.
    func vanishingGradients(_ table: SettingRows) -> Claim {
        let statement = "Sigmoid and tanh saturate, so gradients vanish in deep networks."
        let depths = architecturesByDepth
        guard let shallow = depths.first, let deep = depths.last, deep.count > shallow.count else {
            return Claim(
                statement: statement, untestedFor: .depths(example: [[128, 128], Array(repeating: 128, count: 8)]))
        }
        let saturating = plan.activations.filter { $0 == .sigmoid || $0 == .tanh }
        guard !saturating.isEmpty else {
            return Claim(statement: statement, untestedFor: .oneOf([.sigmoid, .tanh]))
        }
        /// First-layer over last-hidden-layer gradient norm: below 1, the gradient fades on its way down.
        func ratio(_ activation: Activation, _ hidden: [Int]) -> Double? {
            guard let layers = row(table, activation, hidden: hidden, rate: depthRate)?.layers,
                let first = layers.first?.gradientNorm, let last = layers.last?.gradientNorm, last > 0
            else { return nil }
            return first / last
        }
        var parts: [String] = []
        var supported: [String] = []
        var judged = 0
        let reluRatio = ratio(.relu, deep)
        for activation in saturating {
            guard let r0 = ratio(activation, shallow), let r1 = ratio(activation, deep) else { continue }
            judged += 1
            let saturated =
                row(table, activation, hidden: deep, rate: depthRate)?.layers.map(\.saturatedFraction).max() ?? 0
            // Vanishing: at the deepest network the first layer gets under a tenth of the last
            // hidden layer's gradient, a drop from the shallowest network, and (when ReLU ran)
            // a smaller share than ReLU's first layer gets.
            let vanishes = r1 < 0.1 && r1 < r0 / 2 && (reluRatio.map { r1 < $0 / 3 } ?? true)
            if vanishes { supported.append(activation.spec) }
            parts.append(
                String(
                    format:
                        "%@: first-layer gradient %@ of the last hidden layer's at %@, %@ at %@ (up to %.0f%% of a layer's units saturated)",
                    activation.spec, Self.share(r0), Self.name(shallow), Self.share(r1), Self.name(deep),
                    saturated * 100))
        }
        guard judged > 0 else {
            return Claim(
                statement: statement, verdict: .notTested,
                evidence: "No finished cells of sigmoid or tanh at both depths.")
        }
        if let reluRatio { parts.append("relu: \(Self.share(reluRatio)) at \(Self.name(deep))") }
        let verdict: Claim.Verdict = supported.isEmpty ? .notSupported : .supported
        let lead =
            supported.isEmpty
            ? "No saturating activation's gradient faded with depth beyond ReLU's. "
            : "The gradient fades with depth for \(supported.joined(separator: " and ")). "
        return Claim(statement: statement, verdict: verdict, evidence: lead + parts.joined(separator: "; ") + ".")
    }

    /// How far from zero a layer's mean output must sit to be called off centre: sigmoid's
    /// outputs lie in (0, 1), so every one is positive and, for one example, the next layer's
    /// weight gradients all share a sign; a mean above this says the layer's outputs lean that way.
    /// Used for records written before `oneSignFraction` was measured.
    public static let offCentre = 0.05

    /// On what share of examples a layer's outputs must all have one sign for its next layer's
    /// weight gradients to be said to share one: nearly every example. A zero-centred layer's
    /// (tanh's) must be below `mixedSigns` for the contrast to hold.
    public static let oneSignShare = 0.99
    public static let mixedSigns = 0.5

    /// Sigmoid's outputs all share one sign, so the next layer's weight gradients do (on
    /// `oneSignShare` of the examples), and tanh's (when compared) do not. Records without the
    /// sign share are judged by the mean output instead: above `offCentre` for sigmoid, tanh's
    /// nearer zero than half of it.
    func zeroCentred(_ table: SettingRows) -> Claim {
        let statement = "Sigmoid's output is not zero-centred."
        let firstLayers = { (activation: Activation) in
            table.compactMap { entry in entry.rows.first { $0.activation == activation }?.layers.first }
        }
        let (sigmoid, tanh) = (firstLayers(.sigmoid), firstLayers(.tanh))
        guard !sigmoid.isEmpty else {
            return Claim(statement: statement, untestedFor: .activations([.sigmoid]))
        }
        let s = Statistics.mean(sigmoid.map(\.meanActivation))
        let t = tanh.isEmpty ? nil : Statistics.mean(tanh.map(\.meanActivation))
        let shares = sigmoid.compactMap(\.oneSignFraction)
        if !shares.isEmpty {
            // What the claim means: on one example, a next-layer unit's weight gradients δ·aᵢ share a sign.
            let share = Statistics.mean(shares)
            let tanhShare = Statistics.meanOrNil(tanh.compactMap(\.oneSignFraction))
            let oneSign = share >= Self.oneSignShare
            let mixed = tanhShare.map { $0 < Self.mixedSigns } ?? true
            var evidence = String(
                format:
                    "On %.1f%% of held-out images every non-zero output of sigmoid's first layer had one sign (%@ %.0f%%), so each next-layer unit's weight gradients shared one",
                share * 100, oneSign ? "at least" : "under", Self.oneSignShare * 100)
            if let tanhShare {
                evidence += String(
                    format: "; tanh's on %.1f%% (%@ %.0f%%)", tanhShare * 100, mixed ? "under" : "not under",
                    Self.mixedSigns * 100)
            }
            evidence +=
                String(format: ". Mean output: sigmoid %.3f", s) + (t.map { String(format: ", tanh %.3f", $0) } ?? "")
            return Claim(
                statement: statement, verdict: oneSign && mixed ? .supported : .notSupported,
                evidence: evidence + " (averaged over the grid's settings).")
        }
        let offZero = s > Self.offCentre
        var evidence = String(
            format: "Mean first-layer activation of sigmoid %.3f (%@ %.2f)", s, offZero ? "above" : "not above",
            Self.offCentre)
        var centred = true
        if let t {
            centred = abs(t) < s / 2
            evidence += String(
                format: ", of tanh %.3f (%@ half of sigmoid's distance from zero)", t, centred ? "within" : "not within"
            )
        }
        let verdict: Claim.Verdict = offZero && centred ? .supported : .notSupported
        return Claim(
            statement: statement, verdict: verdict, evidence: evidence + " (averaged over the grid's settings).")
    }

    /// ReLU's dead units grow with the learning rate; the leaky family holds up better there.
    /// Rates are compared as trained: `default` counts as the activation's own rate. `all` has the
    /// diverged rows too: a leaky run that diverged where ReLU died kept nothing alive.
    func dyingReLU(_ table: SettingRows, including all: SettingRows) -> Claim {
        let statement = "ReLU units die at large learning rates, and LeakyReLU, PReLU and ELU keep them alive."
        let death: ReLUDeath
        switch reluDeath(table) {
        case .failure(let need): return Claim(statement: statement, untestedFor: need)
        case .success(let measured): death = measured
        }
        let (hidden, high, dies) = (death.hidden, death.high, death.dies)
        var evidence = death.evidence
        let family: [Activation] = plan.activations.filter {
            if case .leakyRelu = $0 { return true }; if case .prelu = $0 { return true };
            if case .elu = $0 { return true }; return false
        }
        // Every leaky-family row at ReLU's high rate, finished or diverged.
        let others = family.compactMap { a in
            byRate(a, hidden, in: all).first { $0.rate == high.rate }.map { (a, $0.row) }
        }
        guard !others.isEmpty else {
            return dies
                ? Claim(
                    statement: statement,
                    untestedFor: .oneOf([.leakyRelu(alpha: 0.01), .prelu(initial: 0.25), .elu(alpha: 1)]),
                    measured: evidence
                        + "; the second half needs one of the leaky family trained at lr \(high.rate) too.")
                : Claim(statement: statement, verdict: .notSupported, evidence: evidence + ".")
        }
        let noise = max(high.row.sdAccuracy, others.map(\.1.sdAccuracy).max() ?? 0)
        // Kept alive: every seed finished, and clearly better than ReLU at that rate.
        let survivors = others.filter { $0.1.failures == 0 && $0.1.meanAccuracy > high.row.meanAccuracy + noise }
        evidence +=
            String(format: "; test accuracy at lr %@: relu %@%%, ", "\(high.rate)", percent(high.row.meanAccuracy))
            + others.map { a, row in
                row.accuracies.isEmpty
                    ? "\(a.spec) diverged"
                    : "\(a.spec) \(percent(row.meanAccuracy))%"
                        + (row.failures > 0
                            ? " (diverged in \(row.failures) of \(row.failures + row.accuracies.count) seeds)" : "")
            }.joined(separator: ", ")
        evidence +=
            survivors.isEmpty
            ? " (none of the leaky family did clearly better there)"
            : " (\(survivors.map(\.0.spec).joined(separator: ", ")) did clearly better there)"
        let verdict: Claim.Verdict = dies && !survivors.isEmpty ? .supported : .notSupported
        return Claim(statement: statement, verdict: verdict, evidence: evidence + ".")
    }

    /// `activation` reaches a higher test accuracy than ReLU, beyond seed noise: the report's own
    /// paired comparison over the seeds both finished (two-sided t at 5%). Within the noise, or
    /// behind, is not supported; with fewer than two seeds there is no noise to judge against.
    func beatsReLU(_ activation: Activation, _ statement: String) -> Claim {
        guard plan.activations.contains(.relu), plan.activations.contains(activation) else {
            return Claim(statement: statement, untestedFor: .activations([activation, .relu]))
        }
        guard let comparison = comparisons.first(where: { $0.activation == activation }),
            comparison.seeds.count >= 2, let t = comparison.t
        else {
            return Claim(
                statement: statement, verdict: .notTested,
                evidence:
                    "Needs \(activation.spec) and relu finished on two seeds or more, to tell a difference from seed noise."
            )
        }
        let ahead = comparison.significant && comparison.meanDifference > 0
        let evidence = String(
            format:
                "Test accuracy minus relu's, seed by seed: %@ points (mean %+.2f, paired t = %.2f with %d degrees of freedom, %@ %.2f): %@",
            comparison.differences.map { String(format: "%+.2f", $0 * 100) }.joined(separator: ", "),
            comparison.meanDifference * 100, t.t, t.degreesOfFreedom, comparison.significant ? "beyond" : "within",
            Statistics.criticalT(degreesOfFreedom: t.degreesOfFreedom),
            ahead
                ? "ahead beyond seed noise"
                : comparison.significant ? "behind beyond seed noise" : "no difference beyond seed noise")
        return Claim(statement: statement, verdict: ahead ? .supported : .notSupported, evidence: evidence + ".")
    }

    /// The share of a ReLU layer's units that must be dead at the high rate for them to be said to die.
    public static let deadAtHighRate = 0.05

    /// ReLU's dead units at its lowest and highest learning rate, at the deepest architecture where
    /// it finished at two: the first half of `dyingReLU`, and on its own what the dying-ReLU lesson judges.
    struct ReLUDeath {
        let hidden: [Int]
        let high: (rate: Double, row: ActivationRow)
        /// At the high rate, at least `deadAtHighRate` of a layer's units dead, and twice the low rate's share.
        let dies: Bool
        let evidence: String
    }

    func reluDeath(_ table: SettingRows) -> Result<ReLUDeath, ClaimNeed> {
        guard plan.activations.contains(.relu) else { return .failure(.activations([.relu])) }
        // The deepest architecture at which ReLU finished at two rates or more.
        let hidden =
            architecturesByDepth.reversed().first { Set(reluByRate($0, in: table).map(\.rate)).count >= 2 }
            ?? architecturesByDepth.last!
        let relu = reluByRate(hidden, in: table)
        guard let low = relu.first, let high = relu.last, high.rate > low.rate else {
            return .failure(.learningRates(example: [.default, .rate(0.5)]))
        }
        let (deadLow, deadHigh) = (
            low.row.layers.map(\.neverActiveFraction).max() ?? 0, high.row.layers.map(\.neverActiveFraction).max() ?? 0
        )
        let dies = deadHigh >= Self.deadAtHighRate && deadHigh >= 2 * deadLow
        let evidence =
            String(
                format: "At %@, up to %.1f%% of a ReLU layer's units were dead at lr %@ and %.1f%% at lr %@",
                Self.name(hidden), deadLow * 100, "\(low.rate)", deadHigh * 100, "\(high.rate)")
            + (dies ? " (they die)" : " (not the rise that says they die)")
        return .success(ReLUDeath(hidden: hidden, high: high, dies: dies, evidence: evidence))
    }

    /// ReLU's units die at a large learning rate and live at a small one (the dying-ReLU lesson's claim).
    func reluDies(_ table: SettingRows) -> Claim {
        let statement = "ReLU units die at a large learning rate, and live at a small one."
        switch reluDeath(table) {
        case .failure(let need): return Claim(statement: statement, untestedFor: need)
        case .success(let death):
            return Claim(
                statement: statement, verdict: death.dies ? .supported : .notSupported, evidence: death.evidence + ".")
        }
    }

    /// An activation's rows at `hidden` in `table`, by the rate they trained at, lowest first.
    func byRate(_ activation: Activation, _ hidden: [Int], in table: SettingRows) -> [(
        rate: Double, row: ActivationRow
    )] {
        plan.learningRates.compactMap { rate in
            row(table, activation, hidden: hidden, rate: rate).map { ($0.learningRate, $0) }
        }
        .sorted { $0.rate < $1.rate }
    }

    private func reluByRate(_ hidden: [Int], in table: SettingRows) -> [(rate: Double, row: ActivationRow)] {
        byRate(.relu, hidden, in: table)
    }

    /// Swish's lead over ReLU grows with depth.
    func swishWithDepth(_ table: SettingRows) -> Claim {
        let statement = "Swish is smooth and does better as networks get deeper."
        let depths = architecturesByDepth
        guard let shallow = depths.first, let deep = depths.last, deep.count > shallow.count else {
            return Claim(
                statement: statement, untestedFor: .depths(example: [[128, 128], Array(repeating: 128, count: 8)]))
        }
        let swish = plan.activations.first {
            if case .swish = $0 { return true }; return false
        }
        guard let swish, plan.activations.contains(.relu) else {
            return Claim(statement: statement, untestedFor: .activations([.swish(beta: 1), .relu]))
        }
        guard let s0 = row(table, swish, hidden: shallow, rate: depthRate),
            let r0 = row(table, .relu, hidden: shallow, rate: depthRate),
            let s1 = row(table, swish, hidden: deep, rate: depthRate),
            let r1 = row(table, .relu, hidden: deep, rate: depthRate)
        else {
            return Claim(
                statement: statement, verdict: .notTested, evidence: "Swish or relu did not finish at both depths.")
        }
        let (gap0, gap1) = (s0.meanAccuracy - r0.meanAccuracy, s1.meanAccuracy - r1.meanAccuracy)
        let noise = Statistics.mean([s0.sdAccuracy, r0.sdAccuracy, s1.sdAccuracy, r1.sdAccuracy])
        let verdict: Claim.Verdict = gap1 > 0 && gap1 - gap0 > noise ? .supported : .notSupported
        return Claim(
            statement: statement, verdict: verdict,
            evidence: String(
                format: "Swish minus relu: %+.2f points at %@, %+.2f at %@ (seed noise about %.2f)",
                gap0 * 100, Self.name(shallow), gap1 * 100, Self.name(deep), noise * 100) + ".")
    }

    /// Activations built on exp (sigmoid, tanh, swish, ELU, GELU, softplus, SELU, Mish) train fewer samples a second than ReLU.
    func exponentialCost(_ table: SettingRows) -> Claim {
        let statement = "Exp-based activations cost more to compute."
        let exponential = plan.activations.filter {
            switch $0 {
            case .sigmoid, .tanh, .swish, .elu, .gelu, .softplus, .selu, .mish: return true;
            default: return false
            }
        }
        guard plan.activations.contains(.relu), !exponential.isEmpty else {
            return Claim(
                statement: statement, verdict: .notTested,
                evidence:
                    "Needs relu and an exp-based activation (sigmoid, tanh, swish, elu, gelu, softplus, selu, mish).")
        }
        // The largest network, where the activation's share of the work is largest, at the first rate.
        let hidden = plan.architectures.max { $0.reduce(0, +) < $1.reduce(0, +) }!
        let rate = plan.learningRates[0]
        guard let relu = row(table, .relu, hidden: hidden, rate: rate)?.samplesPerSecond else {
            return Claim(
                statement: statement, verdict: .notTested, evidence: "ReLU has no timing at \(Self.name(hidden)).")
        }
        let speeds = exponential.compactMap { a in
            row(table, a, hidden: hidden, rate: rate)?.samplesPerSecond.map { (a, $0) }
        }
        guard !speeds.isEmpty else {
            return Claim(statement: statement, verdict: .notTested, evidence: "No exp-based activation has timings.")
        }
        let slower = speeds.filter { $0.1 < relu * 0.95 }
        let verdict: Claim.Verdict = slower.count * 2 > speeds.count ? .supported : .notSupported
        return Claim(
            statement: statement, verdict: verdict,
            evidence: String(
                format: "Training samples per second at %@ (whole steps, forward and backward): relu %.0f, ",
                Self.name(hidden), relu)
                + speeds.map { String(format: "%@ %.0f (%.2f×)", $0.0.spec, $0.1, $0.1 / relu) }.joined(separator: ", ")
                + ". The activation is a small part of a step next to the matrix products, and cells running side by side share the cores, so read small differences as noise."
        )
    }

    static func share(_ ratio: Double) -> String {
        ratio >= 0.1 ? String(format: "%.2f×", ratio) : String(format: "%.1e×", ratio)
    }
}
