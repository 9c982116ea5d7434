import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Model
import Report
import Testing
import TestSupport

/// Constructed grid results, so each claim's verdict can be checked against numbers chosen for
/// it: supported only when the numbers say so.
enum ConstructedGrid {
    static let shallow = [16, 16]
    static let deep = [16, 16, 16, 16, 16, 16]

    static func plan(
        _ activations: [Activation] = [.relu, .leakyRelu(alpha: 0.01), .tanh, .sigmoid, .swish(beta: 1)],
        architectures: [[Int]] = [shallow, deep], rates: [LearningRateChoice] = [.default, .rate(0.01), .rate(0.5)]
    ) -> AblationPlan {
        var base = TrainingConfig()
        // As the command sets them: the first architecture and rate are the base's.
        (base.epochs, base.hidden, base.learningRate) = (1, architectures[0], rates[0].value)
        return AblationPlan(
            activations: activations, seeds: [1, 2], base: base, dataset: "mnist", inputs: 784, classes: 10,
            architectures: architectures, learningRates: rates)
    }

    /// What one cell measured, by its activation, architecture and learning rate.
    struct Outcome {
        var accuracy: Double? = 0.95
        var gradients: [Double]? = nil  // per layer; default: 0.2 everywhere
        var dead = 0.0
        var saturated = 0.0
        var meanActivation = 0.1
        /// nil: a record from before the sign share was measured.
        var oneSign: Double? = nil
        var samplesPerSecond = 50_000.0
    }

    static func summary(_ plan: AblationPlan, _ outcome: (Activation, [Int], LearningRateChoice) -> Outcome)
        -> AblationSummary
    {
        AblationSummary(plan: plan, results: results(plan, outcome), environments: [])
    }

    /// Every cell's result, as `outcome` says it measured.
    static func results(_ plan: AblationPlan, _ outcome: (Activation, [Int], LearningRateChoice) -> Outcome)
        -> [CellResult]
    {
        plan.cells.map { cell -> CellResult in
            let hidden = plan.hidden(of: cell)
            let o = outcome(cell.activation, hidden, plan.learningRate(of: cell))
            let config = plan.config(for: cell)
            let gradients = o.gradients ?? Array(repeating: 0.2, count: hidden.count)
            let layers = gradients.map {
                LayerDiagnostics(
                    neverActiveFraction: o.dead, saturatedFraction: o.saturated, meanActivation: o.meanActivation,
                    gradientNorm: $0, oneSignFraction: o.oneSign)
            }
            // Seed 2 a little apart from seed 1, for a seed-to-seed spread of 0.1 points.
            let accuracy = o.accuracy.map { $0 + (cell.seed == 2 ? 0.001 : 0) }
            let record = EpochRecord(
                epoch: 1, trainLoss: 0.3, trainAccuracy: 0.9, validationLoss: 0.2, validationAccuracy: accuracy,
                learningRate: config.effectiveLearningRate, seconds: 1, samplesPerSecond: o.samplesPerSecond,
                layers: layers)
            return CellResult(
                cell: cell, config: config, learningRate: config.effectiveLearningRate,
                history: accuracy == nil ? [] : [record],
                testAccuracy: accuracy, testLoss: accuracy.map { 1 - $0 },
                failure: accuracy == nil ? "training diverged" : nil,
                dataOrderDigest: "digest-\(cell.seed)", seconds: 1)
        }
    }
}

@Suite struct ClaimsTests {
    func verdict(_ summary: AblationSummary, _ start: String) throws -> Claim {
        try #require(summary.claims.first { $0.statement.hasPrefix(start) })
    }

    @Test func vanishingGradientsOnlyWhenTheGradientFallsWithDepth() throws {
        let plan = ConstructedGrid.plan()
        let vanishing = ConstructedGrid.summary(plan) { activation, hidden, _ in
            var o = ConstructedGrid.Outcome()
            if activation == .sigmoid && hidden.count == 6 {
                o.gradients = [1e-4, 5e-4, 2e-3, 1e-2, 5e-2, 0.1]
                o.saturated = 0.9
            }
            return o
        }
        let yes = try verdict(vanishing, "Sigmoid and tanh saturate")
        #expect(yes.verdict == .supported && yes.evidence.contains("sigmoid"), "\(yes)")

        // The same grid with a gradient that does not fall with depth.
        let flat = ConstructedGrid.summary(plan) { _, _, _ in ConstructedGrid.Outcome() }
        #expect(try verdict(flat, "Sigmoid and tanh saturate").verdict == .notSupported)
        // Falling with depth, but no more than ReLU's: not the saturation effect.
        let everyone = ConstructedGrid.summary(plan) { _, hidden, _ in
            var o = ConstructedGrid.Outcome()
            if hidden.count == 6 { o.gradients = [1e-4, 5e-4, 2e-3, 1e-2, 5e-2, 0.1] }
            return o
        }
        #expect(try verdict(everyone, "Sigmoid and tanh saturate").verdict == .notSupported)
    }

    @Test func aClaimWithoutItsAxisIsNotTestedAndSaysWhichAxis() throws {
        let plain = ConstructedGrid.summary(
            ConstructedGrid.plan(architectures: [ConstructedGrid.shallow], rates: [.default])
        ) { _, _, _ in ConstructedGrid.Outcome() }
        // The library says what is missing as a value, in words that name no command-line flag.
        let depth = try verdict(plain, "Sigmoid and tanh saturate")
        #expect(
            depth.verdict == .notTested && depth.need == .depths(example: [[128, 128], Array(repeating: 128, count: 8)])
        )
        #expect(depth.evidence.contains("different depths") && !depth.evidence.contains("--"))
        #expect(try verdict(plain, "Swish is smooth").verdict == .notTested)
        let rate = try verdict(plain, "ReLU units die")
        #expect(
            rate.verdict == .notTested && rate.need == .learningRates(example: [.default, .rate(0.5)])
                && !rate.evidence.contains("--"))
        let noSigmoid = ConstructedGrid.summary(ConstructedGrid.plan([.relu, .swish(beta: 1)])) { _, _, _ in
            ConstructedGrid.Outcome()
        }
        let sigmoid = try verdict(noSigmoid, "Sigmoid's output")
        #expect(sigmoid.verdict == .notTested && sigmoid.need == .activations([.sigmoid]))
    }

    @Test func deadReLUsOnlyWhenTheyGrowWithTheRate() throws {
        let plan = ConstructedGrid.plan()
        let dying = ConstructedGrid.summary(plan) { activation, _, rate in
            var o = ConstructedGrid.Outcome()
            if activation == .relu && rate == .rate(0.5) { o.dead = 0.4; o.accuracy = 0.80 }
            if activation == .relu && rate == .rate(0.01) { o.dead = 0.01 }
            return o
        }
        let yes = try verdict(dying, "ReLU units die")
        #expect(yes.verdict == .supported, "\(yes)")
        #expect(yes.evidence.contains("40.0%") && yes.evidence.contains("leaky-relu 95.0"), "\(yes.evidence)")

        let alive = ConstructedGrid.summary(plan) { activation, _, _ in
            var o = ConstructedGrid.Outcome()
            if activation == .relu { o.dead = 0.02 }
            return o
        }
        #expect(try verdict(alive, "ReLU units die").verdict == .notSupported)
        // Dying, but the leaky family does no better at that rate: the second half fails.
        let allDie = ConstructedGrid.summary(plan) { activation, _, rate in
            var o = ConstructedGrid.Outcome()
            if rate == .rate(0.5) { o.accuracy = 0.80; if activation == .relu { o.dead = 0.4 } }
            return o
        }
        #expect(try verdict(allDie, "ReLU units die").verdict == .notSupported)
    }

    @Test func swishWithDepthAndZeroCentringFollowTheNumbers() throws {
        let plan = ConstructedGrid.plan()
        let better = ConstructedGrid.summary(plan) { activation, hidden, _ in
            var o = ConstructedGrid.Outcome()
            if case .swish = activation, hidden.count == 6 { o.accuracy = 0.97 }
            if activation == .sigmoid { o.meanActivation = 0.45 }
            if activation == .tanh { o.meanActivation = 0.01 }
            return o
        }
        #expect(try verdict(better, "Swish is smooth").verdict == .supported)
        #expect(try verdict(better, "Sigmoid's output").verdict == .supported)
        let same = ConstructedGrid.summary(plan) { activation, _, _ in
            var o = ConstructedGrid.Outcome()
            if activation == .sigmoid { o.meanActivation = 0.02 }
            return o
        }
        #expect(try verdict(same, "Swish is smooth").verdict == .notSupported)
        #expect(try verdict(same, "Sigmoid's output").verdict == .notSupported)
    }

    @Test func exponentialCostFollowsTheTimings() throws {
        let plan = ConstructedGrid.plan()
        let slow = ConstructedGrid.summary(plan) { activation, _, _ in
            var o = ConstructedGrid.Outcome()
            if activation != .relu && !activation.isReLUFamily { o.samplesPerSecond = 30_000 }
            return o
        }
        #expect(try verdict(slow, "Exp-based").verdict == .supported)
        let same = ConstructedGrid.summary(plan) { _, _, _ in ConstructedGrid.Outcome() }
        #expect(try verdict(same, "Exp-based").verdict == .notSupported)
    }
}

@Suite struct GridReportTests {
    @Test func aGridReportHasItsPivotsAndEveryFileIsWellFormed() throws {
        let plan = ConstructedGrid.plan()
        let summary = ConstructedGrid.summary(plan) { activation, hidden, rate in
            var o = ConstructedGrid.Outcome()
            if activation == .sigmoid && hidden.count == 6 { o.gradients = [1e-4, 5e-4, 2e-3, 1e-2, 5e-2, 0.1] }
            if activation == .relu && rate == .rate(0.5) { o.accuracy = nil }  // diverged
            return o
        }
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AblationReport(summary: summary).write(to: folder)
        let charts = try FileManager.default.contentsOfDirectory(atPath: folder + "/charts").sorted()
        for expected in [
            "accuracy-vs-depth-lrdefault.svg", "gradient-heatmap-lr0.5.svg", "dead-saturated-vs-depth-lr0.01.svg",
            "accuracy-vs-lr-h16x2.svg", "dead-saturated-vs-lr-h16x6.svg", "activation-sigmoid.svg"
        ] {
            #expect(charts.contains(expected), "\(expected) missing from \(charts)")
        }
        for chart in charts {
            let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: folder + "/charts/" + chart)))
            #expect(parser.parse(), "\(chart) is not well-formed")
        }
        let html = try Data(contentsOf: URL(fileURLWithPath: folder + "/report.html"))
        #expect(XMLParser(data: html).parse(), "report.html is not well-formed XHTML")
        let markdown = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
        #expect(markdown.hasPrefix("# Activation ablation grid: mnist, 16x2 / 16x6, lr default / 0.01 / 0.5"))
        for section in [
            "## The claims, measured", "## Test accuracy across the grid", "## Depth", "## Learning rate",
            "### 16x6, lr 0.5"
        ] {
            #expect(markdown.contains(section), "\(section) missing")
        }
        #expect(
            markdown.contains("| relu | 95.05 ± 0.07 | 95.05 ± 0.07 | – |"),
            "the accuracy pivot, with the diverged setting as –")

        let heatmap = try String(contentsOfFile: folder + "/charts/gradient-heatmap-lrdefault.svg", encoding: .utf8)
        #expect(heatmap.contains("sigmoid · 16x6") && heatmap.contains("layer 6") && heatmap.contains("1e-04"))

        let csv = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv[0].hasSuffix(",hidden,learning_rate_choice") && csv[0].contains("l6_gradient_norm"))
        #expect(csv.dropFirst().contains { $0.hasSuffix(",16x6,0.5") })
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/results.json")))
                as? [String: Any])
        #expect((json["claims"] as? [[String: Any]])?.count == 5)
        #expect((json["summary"] as? [[String: Any]])?.count == 5 * 2 * 3, "a summary row per activation and setting")
    }
}

/// Each claim's rule on both sides of each of its thresholds and conditions, one at a time, so
/// that no condition can be dropped unnoticed; and no verdict that its own evidence contradicts.
@Suite struct ClaimThresholdTests {
    func claim(_ summary: AblationSummary, _ start: String) throws -> Claim {
        let claim = try #require(summary.claims.first { $0.statement.hasPrefix(start) })
        // The evidence never says the opposite of the verdict.
        switch claim.verdict {
        case .supported: #expect(!claim.evidence.contains("Needs") && !claim.evidence.contains("not the rise"))
        case .notTested: #expect(claim.evidence.contains("Needs") || claim.evidence.hasPrefix("No "))
        case .notSupported: #expect(!claim.evidence.contains("Needs"))
        }
        return claim
    }

    /// Sigmoid's first-layer over last-layer gradient: `deep` at 6 layers, `shallow` at 2; ReLU's at 6 is `relu`.
    func vanishing(shallow: Double, deep: Double, relu: Double) throws -> Claim.Verdict {
        let plan = ConstructedGrid.plan([.relu, .sigmoid], rates: [.default])
        let summary = ConstructedGrid.summary(plan) { activation, hidden, _ in
            var o = ConstructedGrid.Outcome()
            let ratio = activation == .sigmoid ? (hidden.count == 6 ? deep : shallow) : (hidden.count == 6 ? relu : 1)
            o.gradients = Array(repeating: 0.1, count: hidden.count - 1) + [0.1 / ratio]
            o.gradients![0] = 0.1  // first layer 0.1, last 0.1 / ratio: first / last = ratio
            return o
        }
        return try claim(summary, "Sigmoid and tanh saturate").verdict
    }

    @Test func vanishingGradientsEachCondition() throws {
        #expect(try vanishing(shallow: 1, deep: 0.05, relu: 1) == .supported)
        #expect(try vanishing(shallow: 1, deep: 0.11, relu: 1) == .notSupported, "not under a tenth")
        #expect(try vanishing(shallow: 0.09, deep: 0.05, relu: 1) == .notSupported, "no drop from the shallow net")
        #expect(try vanishing(shallow: 0.11, deep: 0.05, relu: 1) == .supported)
        #expect(try vanishing(shallow: 1, deep: 0.05, relu: 0.14) == .notSupported, "not a third of ReLU's")
        #expect(try vanishing(shallow: 1, deep: 0.05, relu: 0.16) == .supported)
    }

    func zeroCentred(sigmoid: Double, tanh: Double?) throws -> Claim.Verdict {
        let plan = ConstructedGrid.plan(tanh == nil ? [.relu, .sigmoid] : [.relu, .tanh, .sigmoid], rates: [.default])
        let summary = ConstructedGrid.summary(plan) { activation, _, _ in
            var o = ConstructedGrid.Outcome()
            if activation == .sigmoid { o.meanActivation = sigmoid }
            if activation == .tanh { o.meanActivation = tanh! }
            return o
        }
        return try claim(summary, "Sigmoid's output").verdict
    }

    @Test func zeroCentredEachCondition() throws {
        // The ablation's own case: sigmoid 0.133, tanh 0.003.
        #expect(try zeroCentred(sigmoid: 0.133, tanh: 0.003) == .supported)
        #expect(try zeroCentred(sigmoid: 0.06, tanh: nil) == .supported)
        #expect(try zeroCentred(sigmoid: 0.04, tanh: nil) == .notSupported, "at zero")
        #expect(try zeroCentred(sigmoid: 0.2, tanh: -0.09) == .supported)
        #expect(try zeroCentred(sigmoid: 0.2, tanh: -0.11) == .notSupported, "tanh as far off as sigmoid")
    }

    /// The claim as it means it, where the sign share was measured: sigmoid's outputs all of one sign
    /// on (nearly) every example, tanh's mixed; the mean output no longer decides.
    func oneSign(sigmoid: Double, tanh: Double?) throws -> Claim {
        let plan = ConstructedGrid.plan(tanh == nil ? [.relu, .sigmoid] : [.relu, .tanh, .sigmoid], rates: [.default])
        let summary = ConstructedGrid.summary(plan) { activation, _, _ in
            var o = ConstructedGrid.Outcome()
            o.oneSign = activation == .sigmoid ? sigmoid : activation == .tanh ? tanh : 1
            o.meanActivation = activation == .sigmoid ? 0.01 : 0.2  // would fail the mean rule
            return o
        }
        return try claim(summary, "Sigmoid's output")
    }

    @Test func zeroCentredBySignsEachCondition() throws {
        let held = try oneSign(sigmoid: 1, tanh: 0)
        #expect(held.verdict == .supported && held.evidence.contains("100.0%"), "\(held)")
        #expect(try oneSign(sigmoid: AblationSummary.oneSignShare, tanh: nil).verdict == .supported)
        #expect(try oneSign(sigmoid: AblationSummary.oneSignShare - 0.01, tanh: nil).verdict == .notSupported)
        #expect(try oneSign(sigmoid: 1, tanh: AblationSummary.mixedSigns - 0.01).verdict == .supported)
        #expect(try oneSign(sigmoid: 1, tanh: AblationSummary.mixedSigns).verdict == .notSupported, "tanh's not mixed")
    }

    /// ReLU dead at lr 0.01 and 0.5; leaky-relu's accuracy at 0.5 (nil: diverged), or no leaky-relu at all.
    func dying(low: Double, high: Double, leaky: Double??, reluAccuracy: Double = 0.80) throws -> Claim {
        let activations: [Activation] = leaky == nil ? [.relu, .tanh] : [.relu, .leakyRelu(alpha: 0.01)]
        let plan = ConstructedGrid.plan(
            activations, architectures: [ConstructedGrid.shallow], rates: [.rate(0.01), .rate(0.5)])
        let summary = ConstructedGrid.summary(plan) { activation, _, rate in
            var o = ConstructedGrid.Outcome()
            if activation == .relu { (o.dead, o.accuracy) = rate == .rate(0.5) ? (high, reluAccuracy) : (low, 0.95) }
            if activation != .relu && rate == .rate(0.5), let leaky { o.accuracy = leaky }
            return o
        }
        return try claim(summary, "ReLU units die")
    }

    @Test func dyingReLUEachCondition() throws {
        let first = try dying(low: 0, high: 0.05, leaky: 0.95)
        #expect(first.verdict == .supported, "\(first)")
        #expect(try dying(low: 0, high: 0.04, leaky: 0.95).verdict == .notSupported, "too few dead")
        #expect(try dying(low: 0.2, high: 0.4, leaky: 0.95).verdict == .supported)
        #expect(try dying(low: 0.21, high: 0.4, leaky: 0.95).verdict == .notSupported, "no doubling")
        // The second half: clearly better than ReLU (seed noise here is 0.1 points).
        #expect(try dying(low: 0, high: 0.4, leaky: 0.8005).verdict == .notSupported, "within noise of ReLU")
        #expect(try dying(low: 0, high: 0.4, leaky: 0.81).verdict == .supported)
        // A leaky run that diverged is evidence against, not a gap.
        let diverged = try dying(low: 0, high: 0.4, leaky: .some(nil))
        #expect(diverged.verdict == .notSupported && diverged.evidence.contains("leaky-relu diverged"), "\(diverged)")
        // No leaky family at all: half the evidence is missing, so not tested, with the half measured.
        let missing = try dying(low: 0, high: 0.4, leaky: nil)
        #expect(missing.verdict == .notTested && missing.evidence.contains("40.0%"), "\(missing)")
        #expect(try dying(low: 0, high: 0.01, leaky: nil).verdict == .notSupported, "the first half failed")
    }

    func swish(shallowGap: Double, deepGap: Double) throws -> Claim.Verdict {
        let plan = ConstructedGrid.plan([.relu, .swish(beta: 1)], rates: [.default])
        let summary = ConstructedGrid.summary(plan) { activation, hidden, _ in
            var o = ConstructedGrid.Outcome()
            if case .swish = activation { o.accuracy = 0.95 + (hidden.count == 6 ? deepGap : shallowGap) }
            return o
        }
        return try claim(summary, "Swish is smooth").verdict
    }

    @Test func swishWithDepthEachCondition() throws {
        // Seed noise is about 0.0007 (sd of 0.95 and 0.951).
        #expect(try swish(shallowGap: 0, deepGap: 0.002) == .supported)
        #expect(try swish(shallowGap: -0.003, deepGap: -0.001) == .notSupported, "still behind ReLU when deep")
        #expect(try swish(shallowGap: 0.002, deepGap: 0.0024) == .notSupported, "the lead grows less than the noise")
    }

    func cost(ratios: [Double]) throws -> Claim.Verdict {
        let exponential: [Activation] = [.tanh, .sigmoid, .swish(beta: 1)]
        let plan = ConstructedGrid.plan([.relu] + exponential, rates: [.default])
        let summary = ConstructedGrid.summary(plan) { activation, _, _ in
            var o = ConstructedGrid.Outcome()
            if let i = exponential.firstIndex(of: activation) { o.samplesPerSecond = 50_000 * ratios[i] }
            return o
        }
        return try claim(summary, "Exp-based").verdict
    }

    @Test func exponentialCostEachCondition() throws {
        #expect(try cost(ratios: [0.94, 0.94, 1]) == .supported)
        #expect(try cost(ratios: [0.96, 0.94, 1]) == .notSupported, "one of three slower: no majority")
        #expect(try cost(ratios: [0.94, 0.96, 0.94]) == .supported)
    }

    /// The conclusions' words about centring follow the numbers, not the textbook.
    @Test func theConclusionsPlaceEachMeanByItsValue() throws {
        for (sigmoid, words) in [(0.3, "sigmoid 0.300 (off zero by more than 0.05"), (0.02, "sigmoid 0.020 (near zero")]
        {
            let plan = ConstructedGrid.plan(
                [.tanh, .sigmoid], architectures: [ConstructedGrid.shallow], rates: [.default])
            let summary = ConstructedGrid.summary(plan) { activation, _, _ in
                var o = ConstructedGrid.Outcome()
                o.meanActivation = activation == .sigmoid ? sigmoid : 0.01
                return o
            }
            let line = try #require(summary.conclusions.first { $0.hasPrefix("Mean first-layer activation") })
            #expect(line.contains(words) && line.contains("tanh 0.010 (near zero)"), "\(line)")
        }
    }
}
