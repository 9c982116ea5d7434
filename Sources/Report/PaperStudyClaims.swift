import Foundation
import Model

/// One of a paper's claims, judged on our numbers.
public struct StudyClaim: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        case held
        case didNotHold = "did not hold"
        /// The seeds did not tell the activations apart, or too few finished.
        case inconclusive
    }

    public let statement: String
    public let verdict: Verdict
    /// The numbers behind the verdict.
    public let evidence: String
}

extension PaperStudyResults {
    /// The study's claims, each computed from the results; none is assumed.
    public var claims: [StudyClaim] {
        switch study.name {
        case PaperStudy.gelu2016.name:
            return study.parts.map { geluLowest(in: $0) } + [siluBetween()]
        case PaperStudy.glorot2010.name:
            return [sigmoidWorst(), normalizedHelpsTanh(), sigmoidTopLayerSaturates()]
        default:
            return []
        }
    }

    /// The measure as the report writes it: a loss to 4 digits, an error in percent.
    public func figure(_ value: Double) -> String {
        study.measure == .trainingLoss ? String(format: "%.4f", value) : percent(value) + "%"
    }

    private var measureName: String {
        study.measure == .trainingLoss ? "median last-epoch training loss (dropout off)" : "median test error"
    }

    /// `b`'s median and how `a` compared with it, for an evidence line.
    private func against(_ a: Entry, _ b: Entry) -> String {
        "\(PaperStudy.name(b.activation)) \(medianValue(b).map(figure) ?? "none finished") (\(PaperStudy.name(a.activation)) \(describe(compare(a, b), a, b)))"
    }

    private func missing(_ statement: String, _ what: String) -> StudyClaim {
        StudyClaim(statement: statement, verdict: .inconclusive, evidence: "No finished cells of \(what).")
    }

    /// A claim that one figure is lower than each of others: held when every comparison says lower
    /// beyond seed noise, did not hold when any says higher, inconclusive otherwise (or with none).
    static func verdict(lowerThan orders: [Order]) -> StudyClaim.Verdict {
        orders.contains(.higher)
            ? .didNotHold : !orders.isEmpty && orders.allSatisfy { $0 == .lower } ? .held : .inconclusive
    }

    // MARK: Hendrycks & Gimpel 2016

    /// GELU's median training loss is the lowest of the part's activations.
    func geluLowest(in part: PaperStudy.Part) -> StudyClaim {
        let statement = "GELU reaches the lowest median training log loss (\(part.label))."
        guard let gelu = entry(.gelu, in: part.id), let value = medianValue(gelu) else {
            return missing(statement, "GELU (\(part.label))")
        }
        let others = entries.filter { $0.part.id == part.id && $0.activation != .gelu }
        let verdict = Self.verdict(lowerThan: others.map { compare(gelu, $0) })
        return StudyClaim(
            statement: statement, verdict: verdict,
            evidence: "\(measureName.prefix(1).uppercased() + measureName.dropFirst()): gelu \(figure(value)); "
                + others.map { against(gelu, $0) }.joined(separator: "; ") + ".")
    }

    /// SiLU above GELU in every part, and below ReLU and ELU in most comparisons.
    func siluBetween() -> StudyClaim {
        let statement = "SiLU does worse than GELU, but usually better than ReLU and ELU."
        var aboveGELU: [Order] = [], belowOthers: [Order] = []
        var lines: [String] = []
        for part in study.parts {
            guard let silu = entry(.swish(beta: 1), in: part.id), medianValue(silu) != nil else { continue }
            var line = "\(part.label): silu \(figure(medianValue(silu)!))"
            if let gelu = entry(.gelu, in: part.id) {
                aboveGELU.append(compare(silu, gelu))
                line += "; " + against(silu, gelu)
            }
            for other in [Activation.relu, .elu(alpha: 1)] {
                guard let entry = entry(other, in: part.id) else { continue }
                belowOthers.append(compare(silu, entry))
                line += "; " + against(silu, entry)
            }
            lines.append(line)
        }
        guard !aboveGELU.isEmpty || !belowOthers.isEmpty else { return missing(statement, "SiLU") }
        let better = belowOthers.filter { $0 == .lower }.count, worse = belowOthers.filter { $0 == .higher }.count
        let verdict: StudyClaim.Verdict
        if aboveGELU.contains(.lower) || worse * 2 >= max(belowOthers.count, 1) {
            verdict = .didNotHold
        } else if !aboveGELU.isEmpty && aboveGELU.allSatisfy({ $0 == .higher }) && worse == 0
            && better * 4 >= belowOthers.count * 3 && !belowOthers.isEmpty
        {
            verdict = .held
        } else {
            verdict = .inconclusive
        }
        return StudyClaim(
            statement: statement, verdict: verdict,
            evidence: lines.joined(separator: ". ")
                + ". \"Usually\" is read as: lower than ReLU or ELU in at least three of every four comparisons, and higher in none."
        )
    }

    // MARK: Glorot & Bengio 2010

    /// Sigmoid (standard initialisation) has the highest test error of all.
    func sigmoidWorst() -> StudyClaim {
        let statement = "Sigmoid is the worst of the five (the paper: 2.21% test error against 1.64–1.76%)."
        guard let sigmoid = entries.first(where: { $0.activation == .sigmoid }), let value = medianValue(sigmoid) else {
            return missing(statement, "sigmoid")
        }
        let others = entries.filter { $0.activation != .sigmoid && medianValue($0) != nil }
        let verdict = Self.verdict(lowerThan: others.map { compare($0, sigmoid) })
        return StudyClaim(
            statement: statement, verdict: verdict,
            evidence: "Median test error: sigmoid \(figure(value)); "
                + others.map {
                    "\(study.label($0.activation, in: $0.part)) \(figure(medianValue($0)!)) (\(describe(compare($0, sigmoid), $0, sigmoid)))"
                }
                .joined(separator: "; ") + ".")
    }

    /// Tanh's test error is lower with the normalized initialisation than with the standard one.
    func normalizedHelpsTanh() -> StudyClaim {
        let statement =
            "Normalized initialisation helps tanh (the paper: 1.76% → 1.64%; softsign 1.64% → 1.72%, not helped)."
        guard let standard = entry(.tanh, in: "standard-init"), let normalized = entry(.tanh, in: "normalized-init"),
            let s = medianValue(standard), let n = medianValue(normalized)
        else { return missing(statement, "tanh with both initialisations") }
        let order = compare(normalized, standard)
        let verdict = Self.verdict(lowerThan: [order])
        var evidence =
            "Median test error of tanh: \(figure(s)) standard, \(figure(n)) normalized (\(describe(order, normalized, standard)))"
        if let a = entry(.softsign, in: "standard-init"), let b = entry(.softsign, in: "normalized-init"),
            let sa = medianValue(a), let sb = medianValue(b)
        {
            evidence +=
                "; softsign: \(figure(sa)) standard, \(figure(sb)) normalized (\(describe(compare(b, a), b, a)))"
        }
        return StudyClaim(statement: statement, verdict: verdict, evidence: evidence + ".")
    }

    /// Their Figure 2: early in training the top hidden layer of a sigmoid network is driven to 0.
    func sigmoidTopLayerSaturates() -> StudyClaim {
        let statement =
            "Early in training, a sigmoid network's top hidden layer is driven to saturation at 0 (their Figure 2, on Shapeset-3×2; the paper says other data sets behave alike)."
        guard let sigmoid = entries.first(where: { $0.activation == .sigmoid }) else {
            return missing(statement, "sigmoid")
        }
        let traces = sigmoid.cells.compactMap(\.activationTrace).filter { $0.count > 1 }
        guard !traces.isEmpty else {
            return StudyClaim(
                statement: statement, verdict: .inconclusive, evidence: "No first-epoch trace was recorded.")
        }
        let top = traces[0][0].layers.count - 1
        // Per seed: the top layer's lowest mean output during the epoch, and each layer's mean at its end.
        let lowest = Statistics.median(traces.map { $0.dropFirst().map { $0.layers[top].mean }.min()! })
        let start = Statistics.median(traces.map { $0[0].layers[top].mean })
        let end = Statistics.median(traces.map { $0.last!.layers[top].mean })
        let lower = (0..<top).map { l in Statistics.median(traces.map { $0.last!.layers[l].mean }) }
        let verdict: StudyClaim.Verdict = lowest < 0.1 ? .held : lowest > 0.3 ? .didNotHold : .inconclusive
        return StudyClaim(
            statement: statement, verdict: verdict,
            evidence: String(
                format:
                    "On MNIST here (median of %d seeds, 500 held-out images): the top layer's mean output starts at %.3f, falls to %.3f at its lowest in the first epoch and ends it at %.3f; layers 1–%d end the epoch at %@ (in their figure the lower layers stay near 0.5). Held means the top layer's mean fell below 0.1; did not hold, that it never fell below 0.3.",
                traces.count, start, lowest, end, top, lower.map { String(format: "%.3f", $0) }.joined(separator: ", "))
        )
    }

    private func describe(_ order: Order, _ a: Entry, _ b: Entry) -> String {
        switch order {
        case .lower: return "lower beyond seed noise"
        case .higher: return "higher beyond seed noise"
        case .unclear:
            let seeds = Set(a.values(study.measure).keys).intersection(b.values(study.measure).keys).count
            return "not told apart by \(seeds) paired seed\(seeds == 1 ? "" : "s")"
        }
    }
}
