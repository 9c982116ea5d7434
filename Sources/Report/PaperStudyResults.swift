import Foundation
import Model

/// A paper study's numbers: for each part and activation the learning rate chosen on validation
/// data, and the seeds' figures at that rate; then the paper's claims judged on them.
public struct PaperStudyResults {
    public let study: PaperStudy
    /// Each part's ablation, in the study's order.
    public let summaries: [AblationSummary]
    public let entries: [Entry]

    /// One activation of one part, at its chosen learning rate.
    public struct Entry {
        public let part: PaperStudy.Part
        public let activation: Activation
        public let learningRate: LearningRateChoice
        /// The finished cells at that rate, by seed.
        public let cells: [CellResult]
        /// Cells at that rate that diverged.
        public let failures: Int

        /// The last epoch's training loss (with dropout off in a study that asks for it), per seed.
        public var finalTrainingLoss: [UInt64: Double] {
            Dictionary(
                uniqueKeysWithValues: cells.compactMap { c in c.history.last.map { (c.cell.seed, $0.trainLoss) } })
        }

        /// Test error (1 − accuracy), per seed.
        public var testError: [UInt64: Double] {
            Dictionary(uniqueKeysWithValues: cells.compactMap { c in c.testAccuracy.map { (c.cell.seed, 1 - $0) } })
        }

        public func values(_ measure: PaperStudy.Measure) -> [UInt64: Double] {
            measure == .trainingLoss ? finalTrainingLoss : testError
        }

        /// The median over seeds of each epoch's training loss.
        public var medianTrainingLossCurve: [(epoch: Int, loss: Double)] {
            let epochs = cells.map(\.history.count).max() ?? 0
            return (0..<epochs).compactMap { e in
                let values = cells.compactMap { $0.history.count > e ? $0.history[e].trainLoss : nil }
                return values.isEmpty ? nil : (e + 1, Statistics.median(values))
            }
        }
    }

    public init(study: PaperStudy, summaries: [AblationSummary]) {
        precondition(summaries.count == study.parts.count, "one ablation per part")
        (self.study, self.summaries) = (study, summaries)
        entries = zip(study.parts, summaries).flatMap { part, summary in
            part.activations.filter(summary.plan.activations.contains).map { activation in
                Self.entry(part, activation, summary, measure: study.measure)
            }
        }
    }

    /// The rate whose cells have the lowest median last-epoch validation loss (training-loss
    /// studies) or error (test-error studies); a diverged cell counts as infinitely bad.
    private static func entry(
        _ part: PaperStudy.Part, _ activation: Activation, _ summary: AblationSummary, measure: PaperStudy.Measure
    ) -> Entry {
        func cells(_ rate: LearningRateChoice) -> [CellResult] {
            summary.results.filter {
                $0.cell.activation == activation && summary.plan.learningRate(of: $0.cell) == rate
            }
        }
        func score(_ rate: LearningRateChoice) -> Double {
            let values = cells(rate).map { cell -> Double in
                guard cell.failure == nil, let last = cell.history.last else { return .infinity }
                let value = measure == .trainingLoss ? last.validationLoss : last.validationAccuracy.map { 1 - $0 }
                return value ?? .infinity
            }
            return values.isEmpty ? .infinity : Statistics.median(values)
        }
        let rate = summary.plan.learningRates.min { score($0) < score($1) } ?? summary.plan.learningRates[0]
        let all = cells(rate)
        let finished = all.filter { $0.failure == nil }.sorted { $0.cell.seed < $1.cell.seed }
        return Entry(
            part: part, activation: activation, learningRate: rate, cells: finished,
            failures: all.count - finished.count)
    }

    public func entry(_ activation: Activation, in partID: String) -> Entry? {
        entries.first { $0.part.id == partID && $0.activation == activation }
    }

    // MARK: Comparing two entries

    /// How two entries compare on the study's measure, seed by seed (lower is better for both).
    public enum Order: Equatable {
        /// The first is lower, beyond seed noise (paired t-test, two-sided 5%).
        case lower
        case higher
        /// Not told apart by the seeds, or too few seeds in common to tell.
        case unclear
    }

    /// `a` against `b`, paired by seed (each seed's cells share the split and batch order).
    public func compare(_ a: Entry, _ b: Entry) -> Order {
        let (x, y) = (a.values(study.measure), b.values(study.measure))
        let differences = x.keys.filter { y[$0] != nil }.sorted().map { y[$0]! - x[$0]! }
        guard let (t, df) = Statistics.pairedT(differences), df >= 1 else { return .unclear }
        let critical = Statistics.criticalT(degreesOfFreedom: df)
        return t > critical ? .lower : t < -critical ? .higher : .unclear
    }

    /// The median over seeds of an entry's measure.
    public func medianValue(_ entry: Entry) -> Double? {
        let values = Array(entry.values(study.measure).values)
        return values.isEmpty ? nil : Statistics.median(values)
    }
}
