import Foundation
import Model
import Testing

@testable import Report

/// The lessons: each judged by the ablation report's own rules on its runs, a verdict flipping
/// with the evidence that decides it, and a run missing making a claim untested, never held.
@Suite struct LessonTests {
    func lesson(_ name: String) throws -> Lesson { try #require(Lesson.named(name)) }

    @Test func everyLessonIsSmallNamedOnceAndJudgedByItsClaims() throws {
        #expect(Set(Lesson.all.map(\.name)).count == Lesson.all.count)
        for lesson in Lesson.all {
            // A minute on two cores: a few runs of a few epochs each, on one seed.
            #expect(lesson.plan.cells.count <= 4 && lesson.plan.base.epochs <= 2 && lesson.plan.seeds == [1])
            #expect(lesson.plan.architectures.allSatisfy { $0.reduce(0, +) <= 512 }, "\(lesson.name)")
            #expect(lesson.name.allSatisfy { $0.isLowercase || $0 == "-" })
            // No runs yet: every claim untested, none held.
            #expect(lesson.verdicts([]).allSatisfy { $0.verdict == .notTested }, "\(lesson.name)")
            #expect(lesson.verdicts([]).count == lesson.judged.count)
            #expect(lesson.plan.cells.contains(lesson.focus), "\(lesson.name)")
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
        let held = try #require(lesson.verdicts(fading).first)
        #expect(held.verdict == .supported && held.evidence.contains("sigmoid"), "\(held)")
        let flat = ConstructedGrid.results(lesson.plan) { _, _, _ in ConstructedGrid.Outcome() }
        #expect(lesson.verdicts(flat).first?.verdict == .notSupported)
        // The 2-layer runs cancelled: the depth half is missing, so the lesson cannot say it held.
        let partial = fading.filter { lesson.plan.hidden(of: $0.cell) == deep }
        #expect(lesson.verdicts(partial).first?.verdict != .supported)
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
        return lesson.verdicts(results).map(\.verdict)
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
            return lesson.verdicts(results).first?.verdict
        }
        #expect(verdict(sigmoidMean: 0.148) == .supported)
        #expect(verdict(sigmoidMean: AblationSummary.offCentre) == .notSupported)
    }
}
