import Foundation
import Model

/// The report's conclusions, each sentence computed from the numbers (no canned verdicts), as
/// plain text that a terminal and a document can both show.
extension AblationSummary {
    public var conclusions: [String] {
        var lines: [String] = []
        let rows = self.rows.filter { !$0.accuracies.isEmpty }
        let partial =
            missing.isEmpty
            ? []
            : [
                "This report is partial: \(missing.count) of \(plan.cells.count) cells have no result yet (\(missing.prefix(6).map(\.id).joined(separator: ", "))\(missing.count > 6 ? ", …" : ""))."
            ]
        guard let best = rows.max(by: { $0.meanAccuracy < $1.meanAccuracy }) else {
            return ["No cell finished, so there is nothing to compare yet."] + partial
        }
        let ranked = rows.sorted { $0.meanAccuracy > $1.meanAccuracy }
        let seedsText = plan.seeds.count == 1 ? "1 seed" : "\(plan.seeds.count) seeds"
        var winner =
            "\(best.activation.spec) had the highest mean test accuracy, \(percent(best.meanAccuracy))% over \(seedsText)"
        if ranked.count > 1 {
            let second = ranked[1]
            winner += String(
                format: "; the runner-up, %@, was %.2f points behind", second.activation.spec,
                (best.meanAccuracy - second.meanAccuracy) * 100)
        }
        lines.append(winner + ".")

        if plan.seeds.count < 2 {
            lines.append(
                "With one seed there is no measure of seed-to-seed noise, so no difference here can be called real; run it again with three seeds or more."
            )
        } else {
            let noise = Statistics.mean(rows.map(\.sdAccuracy)) * 100
            lines.append(
                String(
                    format:
                        "Seed-to-seed noise: the typical standard deviation of one activation's test accuracy across seeds is %.2f points.",
                    noise))
            for c in comparisons where c.differences.count >= 2 {
                let t = c.t!
                let verdict = c.significant ? "larger than seed noise (5% level)" : "within seed noise"
                lines.append(
                    String(
                        format: "%@ vs %@: %+.2f points on average over %d paired seeds (paired t = %@, %d df): %@.",
                        c.activation.spec, reference.spec, c.meanDifference * 100, c.differences.count,
                        t.t.isFinite ? String(format: "%.2f", t.t) : "∞", t.degreesOfFreedom, verdict))
            }
        }

        // The usual finding for shallow MLPs: the ReLU family, Swish and tanh close, sigmoid behind.
        let modern = rows.filter { ["relu", "leaky-relu", "swish", "tanh"].contains($0.activation.name) }
        if modern.count >= 2 {
            let means = modern.map(\.meanAccuracy)
            var line = String(
                format: "Among %@ the means span %.2f points", modern.map(\.activation.spec).joined(separator: ", "),
                (means.max()! - means.min()!) * 100)
            if let sigmoid = rows.first(where: { $0.activation == .sigmoid }) {
                let gap = (means.max()! - sigmoid.meanAccuracy) * 100
                line += String(format: "; sigmoid is %.2f points below the best of them", gap)
                line +=
                    plan.sharedLearningRate == nil
                    ? " at its own learning rate of \(sigmoid.learningRate)" : " at the same learning rate"
                if gap <= 0 { line += ", which is not the usual finding for shallow MLPs" }
            }
            lines.append(line + ".")
        }

        /// Per-layer fractions as words: each layer for up to three, else the range and the worst
        /// layer (the chart and the diagnostics table have every layer).
        func perLayer(_ fractions: [Double]) -> String {
            if fractions.count <= 3 {
                return fractions.enumerated().map { String(format: "%.1f%% of layer-%d units", $1 * 100, $0 + 1) }
                    .joined(separator: ", ")
            }
            let worst = fractions.indices.max { fractions[$0] < fractions[$1] }!
            return String(
                format: "%.1f–%.1f%% of each layer's units (most in layer %d of %d)", fractions.min()! * 100,
                fractions[worst] * 100, worst + 1, fractions.count)
        }
        for row in rows where !row.layers.isEmpty {
            let name = row.activation.spec
            if row.activation.isReLUFamily {
                let dead = row.layers.map(\.neverActiveFraction)
                lines.append(
                    dead.allSatisfy { $0 == 0 }
                        ? "\(name): no unit was dead at the end (every unit fired on some validation image)."
                        : "\(name): " + perLayer(dead) + " never fired on the validation set"
                            + neverActiveNote(row.activation))
            }
            if row.activation.canSaturate {
                lines.append(
                    "\(name): " + perLayer(row.layers.map(\.saturatedFraction))
                        + " saturated (mean |f′| below a tenth of its peak).")
            }
        }

        let firstLayerNorms = rows.compactMap { row in row.layers.first?.gradientNorm.map { (row.activation, $0) } }
        if firstLayerNorms.count >= 2, let referenceNorm = firstLayerNorms.first(where: { $0.0 == reference })?.1,
            referenceNorm > 0,
            let smallest = firstLayerNorms.min(by: { $0.1 < $1.1 })
        {
            lines.append(
                "Mean gradient norm of the first layer's weights: "
                    + firstLayerNorms.map { String(format: "%@ %.3f", $0.0.spec, $0.1) }.joined(separator: ", ")
                    + String(
                        format: "; smallest for %@, %.2f× %@'s.", smallest.0.spec, smallest.1 / referenceNorm,
                        reference.spec))
        }

        if let tanh = rows.first(where: { $0.activation == .tanh }),
            let sigmoid = rows.first(where: { $0.activation == .sigmoid }),
            let t = tanh.layers.first, let s = sigmoid.layers.first
        {
            func place(_ mean: Double) -> String {
                abs(mean) > Self.offCentre ? String(format: "off zero by more than %.2f", Self.offCentre) : "near zero"
            }
            lines.append(
                String(
                    format:
                        "Mean first-layer activation: tanh %.3f (%@), sigmoid %.3f (%@; its outputs lie in (0, 1)).",
                    t.meanActivation, place(t.meanActivation), s.meanActivation, place(s.meanActivation)))
        }

        let chance = 1 / Double(max(plan.classes, 1))
        for row in rows where row.meanAccuracy < 2 * chance {
            let dead = row.layers.map(\.neverActiveFraction).max() ?? 0
            lines.append(
                String(
                    format: "%@ stopped learning: %.2f%% test accuracy is chance level for %d classes",
                    row.activation.spec, row.meanAccuracy * 100, plan.classes)
                    + (row.activation.isReLUFamily && dead > 0.5
                        ? String(format: " (up to %.0f%% of a layer's units dead).", dead * 100) : "."))
        }
        for row in self.rows where row.failures > 0 {
            let messages = results(for: row.activation).compactMap(\.failure)
            lines.append(
                "\(row.activation.spec) diverged in \(row.failures) of \(row.failures + row.accuracies.count) seeds: \(messages.first ?? "")."
            )
        }
        return lines + partial
    }
}

/// What never firing means for this activation.
private func neverActiveNote(_ activation: Activation) -> String {
    switch activation {
    case .relu: return " (dead: no gradient reaches them)."
    case .step: return " (step passes no gradient at all, fired or not)."
    default: return " (they still pass gradient through the negative side)."
    }
}

public func percent(_ x: Double) -> String { String(format: "%.2f", x * 100) }
