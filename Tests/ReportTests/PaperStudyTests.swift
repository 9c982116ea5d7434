import Foundation
import Model
import Report
import Testing

/// Paper studies judged on constructed numbers, so that each verdict is checked against figures
/// chosen for it: held, did not hold, inconclusive, and the learning rate chosen on validation.
@Suite struct PaperStudyTests {
    /// A cell of `part` whose last epoch's training loss, validation loss and test accuracy are given.
    static func cell(
        _ plan: AblationPlan, _ activation: Activation, seed: UInt64, rate: LearningRateChoice? = nil,
        trainingLoss: Double, validationLoss: Double = 0.1, testAccuracy: Double = 0.97,
        trace: [ActivationSnapshot]? = nil
    ) -> CellResult {
        let cell = AblationCell(activation: activation, seed: seed, learningRate: rate)
        let record = EpochRecord(
            epoch: 1, trainLoss: trainingLoss, trainAccuracy: 0.9, validationLoss: validationLoss,
            validationAccuracy: 1 - validationLoss, learningRate: 0.001, seconds: 1, samplesPerSecond: 1000)
        var result = CellResult(
            cell: cell, config: plan.config(for: cell), learningRate: 0.001, history: [record],
            testAccuracy: testAccuracy, testLoss: 0.1, dataOrderDigest: "digest-\(seed)", seconds: 1)
        result.activationTrace = trace
        return result
    }

    static func plan(_ part: PaperStudy.Part, rates: [LearningRateChoice] = [.rate(0.001)]) -> AblationPlan {
        var base = TrainingConfig()
        (base.hidden, base.learningRate) = ([16, 16], rates[0].value)
        return AblationPlan(
            activations: part.activations, seeds: [1, 2, 3], base: part.config(from: base), dataset: "mnist",
            inputs: 784, classes: 10, learningRates: rates)
    }

    /// The GELU study with each activation's training losses over seeds 1–3, the same in both parts.
    static func gelu(_ losses: [Activation: [Double]]) -> PaperStudyResults {
        let study = PaperStudy.gelu2016
        let summaries = study.parts.map { part in
            let plan = plan(part)
            let results = part.activations.flatMap { activation in
                losses[activation]!.enumerated().map {
                    cell(plan, activation, seed: UInt64($0.offset + 1), trainingLoss: $0.element)
                }
            }
            return AblationSummary(plan: plan, results: results, environments: [])
        }
        return PaperStudyResults(study: study, summaries: summaries)
    }

    @Test func geluLowestInEverySeedHolds() {
        let results = Self.gelu([
            .gelu: [0.010, 0.011, 0.012], .relu: [0.030, 0.032, 0.031], .elu(alpha: 1): [0.040, 0.041, 0.043],
            .swish(beta: 1): [0.020, 0.022, 0.021]
        ])
        let claims = results.claims
        #expect(claims.count == 3)
        #expect(claims[0].verdict == .held && claims[1].verdict == .held, "\(claims)")
        #expect(claims[0].evidence.contains("gelu 0.0110") && claims[0].evidence.contains("silu 0.0210"))
        // SiLU above GELU in both parts, below ReLU and ELU in all four comparisons.
        #expect(claims[2].verdict == .held, "\(claims[2])")
    }

    @Test func anActivationBelowGELUBeyondNoiseMeansTheClaimDidNotHold() {
        let results = Self.gelu([
            .gelu: [0.030, 0.031, 0.032], .relu: [0.010, 0.011, 0.012], .elu(alpha: 1): [0.040, 0.041, 0.043],
            .swish(beta: 1): [0.020, 0.022, 0.021]
        ])
        let claims = results.claims
        #expect(claims[0].verdict == .didNotHold, "\(claims[0])")
        #expect(claims[0].evidence.contains("relu 0.0110 (gelu higher beyond seed noise)"), "\(claims[0].evidence)")
        // SiLU below GELU: the first half of the SiLU claim fails.
        #expect(claims[2].verdict == .didNotHold)
    }

    @Test func seedsThatDisagreeAreInconclusive() {
        // GELU has the lowest median, but ReLU beats it in one seed of three: not beyond seed noise.
        let results = Self.gelu([
            .gelu: [0.010, 0.020, 0.030], .relu: [0.025, 0.015, 0.035], .elu(alpha: 1): [0.040, 0.041, 0.043],
            .swish(beta: 1): [0.012, 0.022, 0.032]
        ])
        let claims = results.claims
        #expect(claims[0].verdict == .inconclusive, "\(claims[0])")
        #expect(claims[0].evidence.contains("not told apart by 3 paired seeds"))
    }

    /// With several rates, each activation is judged at the rate with the lowest median
    /// validation loss, whatever its training loss there.
    @Test func theRateIsChosenOnValidationLoss() throws {
        let study = PaperStudy.gelu2016
        let rates: [LearningRateChoice] = [.rate(0.001), .rate(0.0001)]
        let summaries = study.parts.map { part in
            let plan = Self.plan(part, rates: rates)
            let results = part.activations.flatMap { activation in
                (1...3).flatMap { seed in
                    [
                        Self.cell(
                            plan, activation, seed: UInt64(seed), rate: rates[0], trainingLoss: 0.001,
                            validationLoss: 0.30),
                        Self.cell(
                            plan, activation, seed: UInt64(seed), rate: rates[1], trainingLoss: 0.05,
                            validationLoss: 0.10)
                    ]
                }
            }
            return AblationSummary(plan: plan, results: results, environments: [])
        }
        let results = PaperStudyResults(study: study, summaries: summaries)
        let gelu = try #require(results.entry(.gelu, in: "dropout"))
        #expect(gelu.learningRate == .rate(0.0001))
        #expect(results.medianValue(gelu) == 0.05)
        #expect(results.entries.count == 8)
    }

    // MARK: Glorot & Bengio

    /// Each layer's mean output over the first epoch: the top layer's falling to `topLow`.
    static func trace(top topLow: Double) -> [ActivationSnapshot] {
        (0...4).map { step in
            let top = 0.5 - (0.5 - topLow) * Double(step) / 4
            return ActivationSnapshot(
                step: step * 100,
                layers: (0..<4).map { _ in .init(mean: 0.5, standardDeviation: 0.1) } + [
                    .init(mean: top, standardDeviation: 0.05)
                ])
        }
    }

    static func glorot(errors: [Activation: [Double]], normalized: [Activation: [Double]], top: Double)
        -> PaperStudyResults
    {
        let study = PaperStudy.glorot2010
        let summaries = zip(study.parts, [errors, normalized]).map { part, errors in
            let plan = plan(part)
            let results = part.activations.flatMap { activation in
                errors[activation]!.enumerated().map {
                    cell(
                        plan, activation, seed: UInt64($0.offset + 1), trainingLoss: 0.1, testAccuracy: 1 - $0.element,
                        trace: activation == .sigmoid ? trace(top: top) : nil)
                }
            }
            return AblationSummary(plan: plan, results: results, environments: [])
        }
        return PaperStudyResults(study: study, summaries: summaries)
    }

    @Test func glorotClaimsHeldOnTheirNumbers() {
        let results = Self.glorot(
            errors: [
                .sigmoid: [0.0221, 0.0225, 0.0230], .tanh: [0.0176, 0.0178, 0.0180], .softsign: [0.0164, 0.0166, 0.0165]
            ],
            normalized: [.tanh: [0.0164, 0.0165, 0.0167], .softsign: [0.0172, 0.0171, 0.0175]], top: 0.05)
        let claims = results.claims
        #expect(claims.map(\.verdict) == [.held, .held, .held], "\(claims)")
        #expect(
            claims[1].evidence.contains("1.78% standard, 1.65% normalized (lower beyond seed noise)"), "\(claims[1])")
        #expect(claims[2].evidence.contains("falls to 0.050"), "\(claims[2].evidence)")
    }

    @Test func glorotClaimsThatFail() {
        // Sigmoid better than softsign beyond noise; normalized tanh worse; the top layer stays at 0.45.
        let results = Self.glorot(
            errors: [
                .sigmoid: [0.0180, 0.0181, 0.0182], .tanh: [0.0176, 0.0178, 0.0180], .softsign: [0.0264, 0.0266, 0.0265]
            ],
            normalized: [.tanh: [0.0200, 0.0203, 0.0202], .softsign: [0.0172, 0.0171, 0.0175]], top: 0.45)
        #expect(results.claims.map(\.verdict) == [.didNotHold, .didNotHold, .didNotHold], "\(results.claims)")
        // In between: the top layer falls to 0.2, neither saturated nor level.
        let between = Self.glorot(
            errors: [
                .sigmoid: [0.0180, 0.0181, 0.0182], .tanh: [0.0176, 0.0178, 0.0180], .softsign: [0.0264, 0.0266, 0.0265]
            ],
            normalized: [.tanh: [0.0200, 0.0203, 0.0202], .softsign: [0.0172, 0.0171, 0.0175]], top: 0.2)
        #expect(between.claims[2].verdict == .inconclusive)
    }

    @Test func theReportPutsThePapersFiguresBesideOurs() throws {
        let results = Self.glorot(
            errors: [
                .sigmoid: [0.0221, 0.0225, 0.0230], .tanh: [0.0176, 0.0178, 0.0180], .softsign: [0.0164, 0.0166, 0.0165]
            ],
            normalized: [.tanh: [0.0164, 0.0165, 0.0167], .softsign: [0.0172, 0.0171, 0.0175]], top: 0.05)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("study-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try PaperStudyReport(results: results, budget: "a test budget.").write(to: folder)
        let markdown = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
        #expect(markdown.contains("AISTATS 2010, Table 1"))
        #expect(markdown.contains("| tanh (normalized init) | 0.001 | 1.64% | 1.65% (1.64%–1.67%) |"), "\(markdown)")
        #expect(markdown.contains("**held**: Sigmoid is the worst"))
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/results.json")))
        let entries = try #require((json as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(entries.count == 5)
        // One first-epoch chart, for the sigmoid cells that carry a trace.
        let charts = try FileManager.default.contentsOfDirectory(atPath: folder + "/charts")
        #expect(charts == ["first-epoch-standard-init-sigmoid.svg"])
    }
}
