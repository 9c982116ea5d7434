import Foundation
import Model
import Testing

@testable import Report

/// The lessons: each judged by the ablation report's own rules on its runs, a verdict flipping
/// with the evidence that decides it, and a run missing making a claim untested, never held.
@Suite struct LessonTests {
    func lesson(_ name: String) throws -> Lesson { try #require(Lesson.named(name)) }

    /// Results of a lesson without variants, each as its cell's run.
    func runs(_ results: [CellResult]) -> [(run: Lesson.Run, result: CellResult)] {
        results.map { (Lesson.Run(cell: $0.cell, variant: nil), $0) }
    }

    @Test func everyLessonIsSmallNamedOnceAndJudgedByItsClaims() throws {
        #expect(Set(Lesson.all.map(\.name)).count == Lesson.all.count)
        for lesson in Lesson.all {
            // A minute on two cores: a few runs of a few epochs each, on one seed.
            // Six runs at most: what one person may have going on a shared server by default.
            #expect(lesson.runs.count <= 6 && lesson.plan.base.epochs <= 2 && lesson.plan.seeds.count <= 3)
            #expect(lesson.plan.architectures.allSatisfy { $0.reduce(0, +) <= 512 }, "\(lesson.name)")
            #expect(lesson.name.allSatisfy { $0.isLowercase || $0 == "-" })
            // No runs yet: every claim untested, none held.
            #expect(lesson.verdicts([]).allSatisfy { $0.verdict == .notTested }, "\(lesson.name)")
            #expect(lesson.verdicts([]).count == lesson.judged.count)
            #expect(lesson.runs.contains(lesson.focus), "\(lesson.name)")
            // A variant's setting is one the table has, and its value applies.
            for run in lesson.runs {
                guard let v = run.variant else { continue }
                let setting = try #require(TrainingSettings.named(lesson.variants[v].setting))
                #expect(setting.value(lesson.config(for: run)).text == lesson.variants[v].value, "\(lesson.name)")
            }
        }
    }

    @Test func vanishingGradientsHoldsOnlyWhenSigmoidsFirstLayerFallsBehindInDepth() throws {
        let lesson = try lesson("vanishing-gradients")
        let deep = lesson.plan.architectures.max { $0.count < $1.count }!
        let fading = ConstructedGrid.results(lesson.plan) { activation, hidden, _ in
            var o = ConstructedGrid.Outcome()
            if activation == .sigmoid && hidden == deep {
                o.gradients = [2.7e-7, 1e-6, 1e-5, 1e-4, 1e-4, 1e-3, 1e-3, 1.4e-3]
            }
            return o
        }
        let held = try #require(lesson.verdicts(runs(fading)).first)
        #expect(held.verdict == .supported && held.evidence.contains("sigmoid"), "\(held)")
        let flat = ConstructedGrid.results(lesson.plan) { _, _, _ in ConstructedGrid.Outcome() }
        #expect(lesson.verdicts(runs(flat)).first?.verdict == .notSupported)
        // The 2-layer runs cancelled: the depth half is missing, so the lesson cannot say it held.
        let partial = fading.filter { lesson.plan.hidden(of: $0.cell) == deep }
        #expect(lesson.verdicts(runs(partial)).first?.verdict != .supported)
    }

    /// The dying-ReLU lesson's two verdicts: ReLU's death (by its dead share at each rate) and the
    /// textbook's cure (LeakyReLU alive where ReLU died), judged apart.
    func dying(deadAtHighRate: Double, leakyAccuracy: Double?) throws -> [Claim.Verdict] {
        let lesson = try lesson("dying-relu")
        let high = lesson.plan.learningRates.compactMap(\.value).max()!
        let results = ConstructedGrid.results(lesson.plan) { activation, _, rate in
            var o = ConstructedGrid.Outcome()
            guard rate.value == high else { return o }
            if activation == .relu {
                (o.dead, o.accuracy) = (deadAtHighRate, 0.1135)
            } else {
                o.accuracy = leakyAccuracy
            }
            return o
        }
        return lesson.verdicts(runs(results)).map(\.verdict)
    }

    @Test func dyingReLUJudgesTheDeathAndTheCureApart() throws {
        // As measured: ReLU dead at 0.5, LeakyReLU diverged there (evidence against the cure, not a gap).
        #expect(try dying(deadAtHighRate: 1, leakyAccuracy: nil) == [.supported, .notSupported])
        #expect(try dying(deadAtHighRate: 1, leakyAccuracy: 0.9) == [.supported, .supported])
        #expect(
            try dying(deadAtHighRate: AblationSummary.deadAtHighRate * 0.8, leakyAccuracy: 0.9) == [
                .notSupported, .notSupported
            ])
    }

    @Test func zeroCentredFollowsSigmoidsMeanOutput() throws {
        let lesson = try lesson("zero-centred")
        func verdict(sigmoidMean: Double) -> Claim.Verdict? {
            let results = ConstructedGrid.results(lesson.plan) { activation, _, _ in
                var o = ConstructedGrid.Outcome()
                o.meanActivation = activation == .sigmoid ? sigmoidMean : 0.003
                return o
            }
            return lesson.verdicts(runs(results)).first?.verdict
        }
        // Records without the sign share: the mean output decides.
        #expect(verdict(sigmoidMean: 0.148) == .supported)
        #expect(verdict(sigmoidMean: AblationSummary.offCentre) == .notSupported)
    }

    /// A lesson of two variants judged by `Claim.learnsFaster`, with the first epoch's validation accuracies given.
    func firstEpochVerdict(_ lesson: Lesson, _ first: Double, _ second: Double?) -> Claim {
        let results = lesson.runs.map { run -> (run: Lesson.Run, result: CellResult) in
            let accuracy = run.variant == 0 ? first : second
            let record = EpochRecord(
                epoch: 1, trainLoss: 0.3, trainAccuracy: 0.9, validationLoss: 0.2, validationAccuracy: accuracy,
                learningRate: 0.5, seconds: 1, samplesPerSecond: 1)
            return (
                run,
                CellResult(
                    cell: run.cell, config: lesson.config(for: run), learningRate: 0.5,
                    history: accuracy == nil ? [] : [record], testAccuracy: accuracy, testLoss: 0.2,
                    failure: accuracy == nil ? "training diverged" : nil, dataOrderDigest: "", seconds: 1)
            )
        }
        return lesson.verdicts(results)[0]
    }

    @Test func initialisationIsJudgedOnTheFirstEpoch() throws {
        let lesson = try lesson("initialisation")
        #expect(lesson.variants.map(\.value) == ["xavier", "standard"])
        let held = firstEpochVerdict(lesson, 0.9058, 0.4126)
        #expect(held.verdict == .supported && held.evidence.contains("normalized 90.58%"), "\(held)")
        #expect(firstEpochVerdict(lesson, 0.9058, 0.9058).verdict == .notSupported)
    }

    @Test func crossEntropyIsJudgedOnTheFirstEpoch() throws {
        let lesson = try lesson("cross-entropy")
        #expect(lesson.variants.map(\.value) == ["cross-entropy", "mse"])
        func verdict(_ first: Double, _ second: Double?) -> Claim { firstEpochVerdict(lesson, first, second) }
        let held = verdict(0.9492, 0.9044)
        #expect(held.verdict == .supported && held.evidence.contains("94.92%") && held.evidence.contains("90.44%"))
        // The threshold is a point of accuracy: half a point short of it, and half a point past it.
        #expect(verdict(0.95, 0.95 - Claim.fasterBy / 2).verdict == .notSupported)
        #expect(verdict(0.95, 0.95 - Claim.fasterBy * 1.5).verdict == .supported)
        #expect(verdict(0.95, nil).verdict == .notSupported, "squared error diverging is not learning slowly")
        #expect(lesson.verdicts([]).first?.verdict == .notTested)
    }

    @Test func geluAgainstReLUIsJudgedAgainstSeedNoise() throws {
        let lesson = try lesson("gelu-relu")
        func verdict(_ leads: [UInt64: Double]) -> Claim {
            let results = ConstructedGrid.results(lesson.plan) { _, _, _ in ConstructedGrid.Outcome() }.map { result in
                var result = result
                if result.cell.activation == .gelu { result.testAccuracy! += leads[result.cell.seed] ?? 0 }
                return result
            }
            return lesson.verdicts(runs(results))[0]
        }
        // As measured: +0.59, +0.32, +0.44 points, t = 5.76 over the 4.30 two degrees of freedom need.
        let held = verdict([1: 0.0059, 2: 0.0032, 3: 0.0044])
        #expect(held.verdict == .supported && held.evidence.contains("+0.59"), "\(held)")
        #expect(verdict([1: 0.0059, 2: -0.0002, 3: 0.0044]).verdict == .notSupported, "within seed noise")
        #expect(verdict([1: -0.0059, 2: -0.0032, 3: -0.0044]).verdict == .notSupported, "behind")
        // One seed: no noise to judge against.
        let single = verdict([:])
        #expect(single.verdict == .notSupported || single.verdict == .notTested)
        let one = lesson.verdicts(
            runs(
                ConstructedGrid.results(lesson.plan) { _, _, _ in ConstructedGrid.Outcome() }.filter {
                    $0.cell.seed == 1
                }))[0]
        #expect(one.verdict == .notTested && one.evidence.contains("two seeds"), "\(one)")
    }
}
